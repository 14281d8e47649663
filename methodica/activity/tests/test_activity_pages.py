"""The reach page and the records behind its figures: who may see which area."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import formats, translation

from methodica.activity.scope import allowed_municipalities
from methodica.activity.tests.conftest import consult
from methodica.core.permissions import Role
from methodica.libraries.models import Library
from methodica.support.models import Consultation
from tests.factories import LibraryFactory, SettlementFactory, UserFactory, member
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db

PERIOD = "start=2026-01-01&end=2026-12-31"


def test_a_methodologist_sees_the_district_figures_with_links_to_their_records(
    year, methodologist, client_for
):
    response = client_for(methodologist).get(f"/activity/?{PERIOD}")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["reach"].consultations == 7
    assert "figure=consultations&amp;channel=phone" in page
    assert 'id="data-channels"' in page  # the chart's figures, also in a table
    assert "<caption>" in page


def test_the_navigation_shows_activity_only_to_those_who_may_see_it(
    methodologist, reporter, client_for
):
    client = client_for(methodologist)
    assert "/activity/" in client.get("/libraries/").content.decode()
    client = client_for(reporter)
    assert 'href="/activity/"' not in client.get("/libraries/").content.decode()


@pytest.mark.parametrize("actor", ["reporter", "cataloguer", "outsider"])
def test_those_without_the_permission_are_refused(actor, request, client_for, year):
    user = request.getfixturevalue(actor)
    client = client_for(user)
    assert client.get("/activity/").status_code == 403
    assert client.get("/activity/records/?figure=consultations").status_code == 403
    assert client.get("/activity/report/2026.docx").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/activity/")
    assert response.status_code == 302


def test_a_municipal_methodologist_sees_their_municipality_and_never_another(
    year, municipal_methodologist, other_municipality, client_for
):
    client = client_for(municipal_methodologist)
    response = client.get(f"/activity/?{PERIOD}")
    assert response.status_code == 200
    assert response.context["reach"].consultations == 5
    assert response.context["area"].municipality is not None
    url = f"/activity/?municipality={other_municipality.pk}"
    assert client.get(url).status_code == 404
    records = (
        f"/activity/records/?figure=consultations&municipality={other_municipality.pk}"
    )
    assert client.get(records).status_code == 404
    report = f"/activity/report/2026.pdf?municipality={other_municipality.pk}"
    assert client.get(report).status_code == 404


def test_the_records_page_lists_the_consultations_of_one_channel(
    year, methodologist, client_for
):
    response = client_for(methodologist).get(
        f"/activity/records/?figure=consultations&channel=email&{PERIOD}"
    )
    assert response.status_code == 200
    assert response.context["count"] == 2
    assert len(response.context["table"].rows) == 2


def test_an_unknown_figure_is_a_404(methodologist, client_for):
    response = client_for(methodologist).get("/activity/records/?figure=salaries")
    assert response.status_code == 404


def test_a_period_that_ends_before_it_starts_gets_a_clear_message(
    year, methodologist, client_for
):
    response = client_for(methodologist).get(
        "/activity/?start=2026-12-31&end=2026-01-01"
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    # The page falls back to the whole year rather than showing nothing.
    assert response.context["reach"].consultations == 7


def test_no_survey_answer_or_comment_appears_on_any_records_page(
    year, methodologist, client_for
):
    from methodica.activity.reach import FIGURES

    client = client_for(methodologist)
    for figure in FIGURES:
        page = client.get(f"/activity/records/?figure={figure}&{PERIOD}")
        assert page.status_code == 200, figure
        assert "Гергана" not in page.content.decode()


def test_the_page_takes_the_same_queries_for_many_more_records(
    year, district, library, methodologist, client_for
):
    client = client_for(methodologist)
    client.get(f"/activity/?{PERIOD}")
    with count_queries() as before:
        client.get(f"/activity/?{PERIOD}")
    for _n in range(20):
        other = LibraryFactory(
            settlement=SettlementFactory(municipality=library.municipality)
        )
        consult(
            district,
            other,
            datetime.date(2026, 6, 1),
            Consultation.Channel.VIDEO,
        )
    with count_queries() as after:
        response = client.get(f"/activity/?{PERIOD}")
    assert response.context["reach"].consultations == 27
    assert len(after) == len(before)
    assert len(after) == 15  # 7 for the figures; session, user, area, nav


def test_the_records_page_takes_the_same_queries_for_a_longer_list(
    year, district, library, methodologist, client_for
):
    client = client_for(methodologist)
    url = f"/activity/records/?figure=consultations&{PERIOD}"
    with count_queries() as before:
        client.get(url)
    for _n in range(10):
        consult(
            district,
            library,
            year.session_a.starts_at.date(),
            Consultation.Channel.VIDEO,
        )
    with count_queries() as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_breakdown_line_lists_the_libraries_of_its_municipality(
    year, methodologist, other_municipality, other_library, client_for
):
    response = client_for(methodologist).get(
        f"/activity/records/?figure=libraries_trained&in={other_municipality.pk}&{PERIOD}"
    )
    assert response.status_code == 200
    assert [row[0].text for row in response.context["table"].rows] == [
        other_library.name
    ]


@pytest.mark.parametrize("role", [Role.METHODOLOGIST, Role.DISTRICT_ADMIN])
def test_a_library_scoped_methodologist_or_admin_sees_no_area(
    role, year, other_library, municipality, other_municipality, client_for
):
    user = member(UserFactory(username="one_library"), role, other_library)
    assert not allowed_municipalities(user).exists()
    client = client_for(user)
    for url in (
        f"/activity/?{PERIOD}",
        f"/activity/?municipality={other_municipality.pk}",
        f"/activity/?municipality={municipality.pk}",
        "/activity/records/?figure=consultations",
        "/activity/report/2026.docx",
    ):
        assert client.get(url).status_code == 403, url


def test_a_library_membership_adds_no_municipality_to_a_municipal_methodologist(
    year, municipal_methodologist, other_library, other_municipality, client_for
):
    member(municipal_methodologist, Role.METHODOLOGIST, other_library)
    client = client_for(municipal_methodologist)
    response = client.get(f"/activity/?{PERIOD}")
    assert response.status_code == 200
    assert [m.name for m in response.context["municipalities"]] == ["Казанлък"]
    url = f"/activity/?municipality={other_municipality.pk}"
    assert client.get(url).status_code == 404


def test_a_date_that_is_no_date_is_shown_at_its_field(year, methodologist, client_for):
    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/activity/?start=2026-02-30&end=2026-12-31")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="p-start-errors"' in page
    assert "Enter a valid date." in page
    assert 'aria-describedby="p-start-errors"' in page
    assert 'id="p-end-errors"' not in page


def test_the_page_writes_numbers_as_the_report_does(
    year, district, library, methodologist, client_for
):
    consult(
        district,
        library,
        datetime.date(2026, 6, 1),
        Consultation.Channel.VIDEO,
        minutes=6000,
    )
    response = client_for(methodologist).get(f"/activity/?{PERIOD}")
    page = response.content.decode()
    with translation.override("bg"):
        grouped = formats.number_format(6090, force_grouping=True)
        six_thousand = formats.number_format(6000, force_grouping=True)
    assert grouped == "6\xa0090"
    assert f"{grouped} " in page  # the minutes spent, grouped as in the report
    assert f'<td class="text-end">{six_thousand}</td>' in page  # by channel
    assert "10,0" not in page  # the hours given: 10, as the report writes them
    assert "10 " in page


def test_the_reached_card_shows_active_libraries_beside_all_reached(
    year, district, municipality, methodologist, client_for
):
    helped = LibraryFactory(settlement=SettlementFactory(municipality=municipality))
    consult(district, helped, datetime.date(2026, 2, 2), Consultation.Channel.PHONE)
    Library.objects.filter(pk=helped.pk).update(status=Library.Status.CLOSED)
    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/activity/?{PERIOD}").content.decode()
    assert "active libraries reached: 2 of 2 (100%)" in page
    assert f"figure=active_reached&amp;in={municipality.pk}&amp;" in page
    records = client.get(
        f"/activity/records/?figure=active_reached&in={municipality.pk}&{PERIOD}"
    )
    assert records.context["count"] == 1
    assert (
        client.get(f"/activity/records/?figure=reached&{PERIOD}").context["count"] == 3
    )
