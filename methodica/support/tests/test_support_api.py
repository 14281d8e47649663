"""Methodological help over the API: the same visibility and services as the pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from methodica.core.models import AuditEntry
from methodica.support.models import Consultation

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_methodologist_logs_a_consultation_through_the_api(
    methodologist, library, topics
):
    response = api(methodologist).post(
        "/api/v1/consultations/",
        {
            "library": library.pk,
            "channel": "video",
            "topic": topics["digitisation"].pk,
            "question": "Какъв скенер?",
            "minutes": 30,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    consultation = Consultation.objects.get(pk=response.json()["id"])
    assert consultation.owner == methodologist
    assert AuditEntry.objects.filter(action="consultation.logged").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"minutes": -1}, "minutes"),
        ({"minutes": 99999}, "minutes"),
        ({"question": " "}, "question"),
        ({"library": 999999}, "library"),
    ],
)
def test_bad_input_through_the_api_is_refused(methodologist, library, payload, field):
    body = {"library": library.pk, "channel": "phone", "question": "?", **payload}
    response = api(methodologist).post("/api/v1/consultations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Consultation.objects.exists()


def test_a_municipal_methodologist_cannot_log_for_another_municipality_by_api(
    municipal_methodologist, other_library
):
    response = api(municipal_methodologist).post(
        "/api/v1/consultations/",
        {"library": other_library.pk, "channel": "phone", "question": "?"},
        format="json",
    )
    assert response.status_code == 400
    assert not Consultation.objects.exists()


def test_a_reporter_cannot_log_by_api(reporter, library):
    response = api(reporter).post(
        "/api/v1/consultations/",
        {"library": library.pk, "channel": "phone", "question": "?"},
        format="json",
    )
    assert response.status_code == 403


def test_a_reporter_lists_only_their_librarys_consultations(
    reporter, consultation, other_consultation
):
    client = api(reporter)
    ids = [row["id"] for row in client.get("/api/v1/consultations/").json()["results"]]
    assert ids == [consultation.pk]
    assert client.get(f"/api/v1/consultations/{consultation.pk}/").status_code == 200
    assert client.get(
        f"/api/v1/consultations/{other_consultation.pk}/"
    ).status_code == (404)


def test_visits_and_recommendations_are_scoped(reporter, visit, other_visit):
    client = api(reporter)
    visits = client.get("/api/v1/visits/").json()["results"]
    assert [v["id"] for v in visits] == [visit.pk]
    assert len(visits[0]["findings"]) == visit.findings.count()
    assert client.get(f"/api/v1/visits/{other_visit.pk}/").status_code == 404
    recommendations = client.get("/api/v1/recommendations/?open=1").json()["results"]
    assert {r["visit"] for r in recommendations} == {visit.pk}


def test_an_outsider_sees_nothing(outsider, consultation, visit):
    client = api(outsider)
    assert client.get("/api/v1/consultations/").json()["results"] == []
    assert client.get("/api/v1/visits/").json()["results"] == []


def test_the_help_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/").content
    for path in (
        b"/api/v1/consultations/",
        b"/api/v1/visits/",
        b"/api/v1/recommendations/",
    ):
        assert path in schema


@pytest.mark.parametrize("value", ["²", "１", "٣"])
def test_a_filter_id_in_other_digits_is_ignored_by_the_api(
    methodologist, consultation, value
):
    client = api(methodologist)
    for name in ("municipality", "library", "topic", "methodologist"):
        response = client.get(f"/api/v1/consultations/?{name}={value}")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [consultation.pk]
