"""Training over REST: sessions on offer, enrolments through the same services."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from methodica.training.models import Enrolment
from methodica.training.tests.factories import EnrolmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.cookies["django_language"] = "en"
    return client


def test_a_reporter_lists_the_sessions_with_places_left(reporter, upcoming_session):
    EnrolmentFactory(session=upcoming_session)
    response = api(reporter).get("/api/v1/training/sessions/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == upcoming_session.pk
    assert row["places_left"] == 1


def test_an_outsider_sees_no_sessions(outsider, upcoming_session):
    response = api(outsider).get("/api/v1/training/sessions/")
    assert response.json()["results"] == []


def test_a_reporter_enrols_their_own_staff(reporter, upcoming_session, own_staff):
    response = api(reporter).post(
        "/api/v1/training/enrolments/",
        {"session": upcoming_session.pk, "staff": own_staff.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "enrolled"


def test_reporter_cannot_enrol_another_librarys_staff_through_the_api(
    reporter, upcoming_session, other_staff
):
    response = api(reporter).post(
        "/api/v1/training/enrolments/",
        {"session": upcoming_session.pk, "staff": other_staff.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "staff" in response.json()
    assert not Enrolment.objects.exists()


def test_a_double_enrolment_gets_the_message(reporter, upcoming_session, own_staff):
    client = api(reporter)
    payload = {"session": upcoming_session.pk, "staff": own_staff.pk}
    client.post("/api/v1/training/enrolments/", payload, format="json")
    response = client.post("/api/v1/training/enrolments/", payload, format="json")
    assert response.status_code == 400
    assert "already enrolled" in response.json()["non_field_errors"][0]


def test_enrolments_are_listed_only_for_the_readers_library(
    reporter, upcoming_session, own_staff, other_staff
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    EnrolmentFactory(session=upcoming_session, staff=other_staff)
    rows = api(reporter).get("/api/v1/training/enrolments/").json()["results"]
    assert [row["staff_name"] for row in rows] == [own_staff.full_name]


def test_delete_cancels_and_promotes_the_first_waiting(
    methodologist, upcoming_session, own_staff, colleague, other_staff
):
    first = EnrolmentFactory(session=upcoming_session, staff=own_staff)
    EnrolmentFactory(session=upcoming_session, staff=colleague)
    waiting = EnrolmentFactory(
        session=upcoming_session, staff=other_staff, status=Enrolment.Status.WAITING
    )
    response = api(methodologist).delete(f"/api/v1/training/enrolments/{first.pk}/")
    assert response.status_code == 204
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_reporter_cannot_cancel_another_librarys_enrolment_through_the_api(
    reporter, upcoming_session, other_staff
):
    enrolment = EnrolmentFactory(session=upcoming_session, staff=other_staff)
    response = api(reporter).delete(f"/api/v1/training/enrolments/{enrolment.pk}/")
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_the_schema_describes_the_training_endpoints(client):
    response = client.get("/api/v1/schema/")
    assert b"/api/v1/training/enrolments/" in response.content


def test_staff_of_a_closed_library_cannot_be_enrolled_through_the_api(
    reporter, upcoming_session, own_staff, library
):
    from methodica.libraries.models import Library

    Library.objects.filter(pk=library.pk).update(status=Library.Status.CLOSED)
    response = api(reporter).post(
        "/api/v1/training/enrolments/",
        {"session": upcoming_session.pk, "staff": own_staff.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "is not active" in str(response.json())
    assert not Enrolment.objects.exists()
