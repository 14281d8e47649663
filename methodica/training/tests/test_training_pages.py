"""Every training page opens for those who may see it, in a fixed number of queries
for its lists."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from methodica.training.tests.factories import EnrolmentFactory, SessionFactory
from tests.factories import StaffFactory
from tests.querycount import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_every_page_opens_for_a_methodologist(
    client_for, methodologist, upcoming_session, own_staff
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    session, course = upcoming_session, upcoming_session.course
    client = client_for(methodologist)
    for url in [
        "/training/",
        "/training/programmes/",
        f"/training/programmes/{course.programme_id}/",
        f"/training/programmes/{course.programme_id}/courses/new/",
        f"/training/programmes/{course.programme_id}/courses/{course.pk}/",
        f"/training/courses/{course.pk}/sessions/new/",
        f"/training/sessions/{session.pk}/",
        f"/training/sessions/{session.pk}/edit/",
        f"/training/sessions/{session.pk}/cancel/",
        f"/training/sessions/{session.pk}/invite/",
        f"/training/sessions/{session.pk}/attendance/",
        "/training/people/",
        f"/training/people/{own_staff.pk}/",
        "/training/mine/",
    ]:
        assert client.get(url).status_code == 200, url


def test_the_session_page_asks_a_fixed_number_of_queries(
    client_for, methodologist, course, library
):
    session = SessionFactory(course=course, capacity=50)
    client = client_for(methodologist)
    EnrolmentFactory(session=session, staff=StaffFactory(library=library))
    with count_queries() as few:
        first = client.get(f"/training/sessions/{session.pk}/")
    for _ in range(5):
        EnrolmentFactory(session=session, staff=StaffFactory(library=library))
    with count_queries() as many:
        second = client.get(f"/training/sessions/{session.pk}/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(many) == len(few)


def test_the_training_home_asks_a_fixed_number_of_queries(
    client_for, reporter, course, library
):
    client = client_for(reporter)
    SessionFactory(course=course)
    with count_queries() as few:
        first = client.get("/training/")
    assert first.status_code == 200
    for days in range(2, 7):
        session = SessionFactory(
            course=course, starts_at=timezone.now() + datetime.timedelta(days=days)
        )
        EnrolmentFactory(session=session, staff=StaffFactory(library=library))
    with count_queries() as many:
        response = client.get("/training/")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_enrolments_api_asks_a_fixed_number_of_queries(
    methodologist, upcoming_session, library
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=methodologist)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    EnrolmentFactory(session=upcoming_session, staff=StaffFactory(library=library))
    with count_queries() as few:
        first = client.get("/api/v1/training/enrolments/")
    for _ in range(5):
        EnrolmentFactory(session=upcoming_session, staff=StaffFactory(library=library))
    with count_queries() as many:
        second = client.get("/api/v1/training/enrolments/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(second.json()["results"]) == 6
    assert len(many) == len(few)
