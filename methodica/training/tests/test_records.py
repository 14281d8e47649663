"""Each librarian's record: hours by year, courses taken, certificates; the list
of people; "My training"; the library timeline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from methodica.training import records
from methodica.training.models import Certificate
from methodica.training.tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
)
from tests.factories import StaffFactory
from tests.querycount import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def attended(course, staff, *, year, hours, attended=True):
    starts = timezone.make_aware(datetime.datetime(year, 5, 10, 9, 0))
    session = SessionFactory(
        course=course, starts_at=starts, hours=Decimal(hours), capacity=5
    )
    return EnrolmentFactory(session=session, staff=staff, attended=attended)


def test_hours_are_summed_by_year_from_sessions_attended(course, own_staff):
    attended(course, own_staff, year=2024, hours="8")
    attended(course, own_staff, year=2025, hours="4")
    attended(course, own_staff, year=2025, hours="6")
    attended(course, own_staff, year=2025, hours="16", attended=False)
    assert records.hours_by_year(own_staff) == [
        (2025, Decimal("10.0")),
        (2024, Decimal("8.0")),
    ]


def test_the_person_page_shows_hours_courses_and_certificates(
    client_for, reporter, course, own_staff
):
    enrolment = attended(course, own_staff, year=2025, hours="8")
    Certificate.objects.create(
        enrolment=enrolment,
        code="ABCD-1234",
        holder_name=own_staff.full_name,
        course_title=course.title,
        programme_title=course.programme.title,
        hours=Decimal("8"),
        session_date=datetime.date(2025, 5, 10),
    )
    text = (
        client_for(reporter).get(f"/training/people/{own_staff.pk}/").content.decode()
    )
    assert "2025" in text
    assert course.title in text
    assert "ABCD-1234" in text


def test_reporter_cannot_see_another_librarys_person(client_for, reporter, other_staff):
    response = client_for(reporter).get(f"/training/people/{other_staff.pk}/")
    assert response.status_code == 404


def test_the_people_list_has_this_years_hours_and_only_visible_people(
    client_for, reporter, course, own_staff, other_staff
):
    attended(course, own_staff, year=timezone.localdate().year, hours="6")
    text = client_for(reporter).get("/training/people/").content.decode()
    assert own_staff.full_name in text
    assert other_staff.full_name not in text
    assert ">6</td>" in text


def test_the_people_list_filters_by_qualification(
    client_for, methodologist, library, own_staff
):
    StaffFactory(
        library=library, full_name="Дипломирана", has_library_qualification=True
    )
    text = (
        client_for(methodologist)
        .get("/training/people/", {"qualification": "yes"})
        .content.decode()
    )
    assert "Дипломирана" in text
    assert own_staff.full_name not in text


def test_the_people_list_asks_a_fixed_number_of_queries(
    client_for, methodologist, library, course
):
    client = client_for(methodologist)
    year = timezone.localdate().year
    attended(course, StaffFactory(library=library), year=year, hours="2")
    with count_queries() as few:
        first = client.get("/training/people/")
    for _ in range(5):
        attended(course, StaffFactory(library=library), year=year, hours="2")
    with count_queries() as many:
        second = client.get("/training/people/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(many) == len(few)


def test_my_training_shows_the_users_own_record(
    client_for, reporter, course, own_staff
):
    attended(course, own_staff, year=2025, hours="8")
    text = client_for(reporter).get("/training/mine/").content.decode()
    assert course.title in text


def test_my_training_says_when_no_record_is_linked(client_for, other_reporter):
    response = client_for(other_reporter).get("/training/mine/")
    assert response.status_code == 200
    assert "Your account is not linked to a staff record." in response.content.decode()


def test_the_library_timeline_shows_trainings_attended(
    reporter, district, own_staff, library
):
    from methodica.core.timeline import events_for

    course = CourseFactory(programme__district=district, title="Дигитализация")
    attended(course, own_staff, year=2025, hours="8")
    titles = [event.title for event in events_for(library, reporter)]
    assert "Training attended: Дигитализация" in titles


def test_the_timeline_hides_trainings_from_those_without_the_record_permission(
    cataloguer, district, own_staff, library
):
    from methodica.training.timeline import trainings_attended

    course = CourseFactory(programme__district=district)
    attended(course, own_staff, year=2025, hours="8")
    assert trainings_attended(library, cataloguer) == []


def _certificate(enrolment, code, **extra):
    return Certificate.objects.create(
        enrolment=enrolment,
        code=code,
        holder_name=enrolment.staff.full_name,
        course_title=enrolment.session.course.title,
        programme_title=enrolment.session.course.programme.title,
        hours=Decimal("8"),
        session_date=datetime.date(2025, 5, 10),
        **extra,
    )


def test_a_revoked_certificate_says_so_and_cannot_be_downloaded(
    client_for, reporter, course, own_staff
):
    _certificate(
        attended(course, own_staff, year=2025, hours="8"),
        "REVO-0001",
        revoked_at=timezone.now(),
        revoked_reason="Грешка",
    )
    response = client_for(reporter).get(f"/training/people/{own_staff.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "REVO-0001" in text
    assert "revoked" in text
    assert "/certificates/REVO-0001.pdf" not in text


def test_an_expired_certificate_says_so(client_for, reporter, course, own_staff):
    _certificate(
        attended(course, own_staff, year=2024, hours="8"),
        "EXPI-0001",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    _certificate(attended(course, own_staff, year=2025, hours="8"), "GOOD-0001")
    text = (
        client_for(reporter).get(f"/training/people/{own_staff.pk}/").content.decode()
    )
    assert text.count("expired") == 1
    assert "/certificates/GOOD-0001.pdf" in text


def test_a_cancelled_sessions_attendance_counts_nowhere(
    reporter, course, own_staff, library
):
    from methodica.core.timeline import events_for
    from methodica.training.models import Session

    enrolment = attended(course, own_staff, year=2025, hours="8")
    Session.objects.filter(pk=enrolment.session_id).update(status="cancelled")
    assert records.hours_by_year(own_staff) == []
    assert list(records.attended(own_staff)) == []
    staff = records.with_hours_in(
        records.record_staff(reporter).filter(pk=own_staff.pk), 2025
    ).get()
    assert staff.hours == 0
    assert not [e for e in events_for(library, reporter) if e.kind == "training"]
