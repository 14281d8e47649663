"""Every help page opens for those who may see it, and says no to those who may not."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_opens_for_a_methodologist(
    client_for, methodologist, consultation, question, visit, planned_visit, topics
):
    client = client_for(methodologist)
    recommendation = visit.recommendations.first()
    for url in (
        "/help/",
        "/help/consultations/",
        "/help/consultations/new/",
        f"/help/consultations/{consultation.pk}/edit/",
        "/help/questions/",
        "/help/questions/?mine=1",
        f"/help/questions/{question.pk}/",
        "/help/visits/",
        "/help/visits/new/",
        f"/help/visits/{visit.pk}/",
        f"/help/visits/{visit.pk}/record/",
        f"/help/recommendations/{recommendation.pk}/",
        "/help/recommendations/?overdue=1",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1" in response.content, url


def test_planned_visits_can_be_recorded_and_cancelled_from_their_pages(
    client_for, methodologist, planned_visit
):
    client = client_for(methodologist)
    page = client.get(f"/help/visits/{planned_visit.pk}/").content.decode()
    assert f"/help/visits/{planned_visit.pk}/record/" in page
    assert f"/help/visits/{planned_visit.pk}/cancel/" in page
    record = client.get(f"/help/visits/{planned_visit.pk}/record/")
    assert len(record.context["findings"]) == 6  # the default checklist
    assert client.get(f"/help/visits/{planned_visit.pk}/cancel/").status_code == 200


def test_every_page_a_reporter_may_see_opens(
    client_for, reporter, consultation, question, visit
):
    client = client_for(reporter)
    for url in (
        "/help/",
        "/help/consultations/",
        "/help/ask/",
        "/help/my-questions/",
        f"/help/questions/{question.pk}/",
        "/help/visits/",
        f"/help/visits/{visit.pk}/",
        "/help/recommendations/",
    ):
        assert client.get(url).status_code == 200, url
    home = client.get("/help/")
    assert list(home.context["threads"]) == [question]


def test_the_navigation_offers_help_to_those_who_may_see_it(
    client_for, reporter, cataloguer
):
    assert "/help/" in client_for(reporter).get("/libraries/").content.decode()
    page = client_for(cataloguer).get("/libraries/").content.decode()
    assert 'href="/help/"' not in page
    assert client_for(cataloguer).get("/help/").status_code == 403


def test_an_outsider_is_refused_everywhere(client_for, outsider, visit, question):
    client = client_for(outsider)
    assert client.get("/help/").status_code == 403
    assert client.get(f"/help/visits/{visit.pk}/").status_code == 404
    assert client.get(f"/help/questions/{question.pk}/").status_code == 404
    assert client.get(f"/help/visits/{visit.pk}/report.pdf").status_code == 404


def test_the_taxonomy_pages_open_for_the_administrator(client_for, district_admin):
    client = client_for(district_admin)
    for kind in ("topics", "checklist"):
        response = client.get(f"/help/taxonomy/{kind}/")
        assert response.status_code == 200
        assert len(response.context["entries"]) in (10, 6)
    assert client.get("/help/taxonomy/other/").status_code == 404


def test_the_library_select_groups_libraries_by_municipality(
    client_for, methodologist, library, municipality
):
    page = client_for(methodologist).get("/help/consultations/new/").content.decode()
    assert f'<optgroup label="{municipality.name}">' in page
    assert 'name="another"' in page
