"""Enrolment: places, the waiting list and its promotion, and every refusal."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from methodica.core.models import AuditEntry
from methodica.training import services
from methodica.training.models import Enrolment, Session
from methodica.training.services import TrainingError
from methodica.training.tests.factories import EnrolmentFactory, SessionFactory
from tests.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_a_reporter_enrols_their_own_library_staff(
    upcoming_session, own_staff, reporter
):
    enrolment = services.enrol(
        session=upcoming_session, staff=own_staff, actor=reporter
    )
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.enrolled_by == reporter
    entry = AuditEntry.objects.get(action="enrolment.created")
    assert entry.changes["status"]["after"] == "enrolled"


def test_reporter_cannot_enrol_another_librarys_staff(
    upcoming_session, other_staff, reporter
):
    with pytest.raises(PermissionDenied):
        services.enrol(session=upcoming_session, staff=other_staff, actor=reporter)
    assert not Enrolment.objects.exists()


def test_a_methodologist_enrols_anyone(upcoming_session, other_staff, methodologist):
    enrolment = services.enrol(
        session=upcoming_session, staff=other_staff, actor=methodologist
    )
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_a_full_session_puts_the_next_one_on_the_waiting_list(
    upcoming_session, own_staff, colleague, methodologist, library
):
    services.enrol(session=upcoming_session, staff=own_staff, actor=methodologist)
    services.enrol(session=upcoming_session, staff=colleague, actor=methodologist)
    third = StaffFactory(library=library)
    enrolment = services.enrol(
        session=upcoming_session, staff=third, actor=methodologist
    )
    assert enrolment.status == Enrolment.Status.WAITING
    assert services.places_left(upcoming_session) == 0


def test_double_enrolment_is_refused_with_a_message(
    upcoming_session, own_staff, reporter
):
    services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)
    with pytest.raises(TrainingError, match="Йорданка Стоянова is already enrolled"):
        services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)
    assert Enrolment.objects.count() == 1


def test_enrolling_twice_on_the_waiting_list_is_refused(
    upcoming_session, own_staff, methodologist, library
):
    EnrolmentFactory.create_batch(2, session=upcoming_session, staff__library=library)
    services.enrol(session=upcoming_session, staff=own_staff, actor=methodologist)
    with pytest.raises(TrainingError, match="already on the waiting list"):
        services.enrol(session=upcoming_session, staff=own_staff, actor=methodologist)


def test_a_past_session_refuses_enrolment(course, own_staff, reporter):
    past = SessionFactory(
        course=course, starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with pytest.raises(TrainingError, match="already started: enrolment is closed"):
        services.enrol(session=past, staff=own_staff, actor=reporter)
    assert not Enrolment.objects.exists()


def test_a_cancelled_session_refuses_enrolment(upcoming_session, own_staff, reporter):
    Session.objects.filter(pk=upcoming_session.pk).update(
        status=Session.Status.CANCELLED
    )
    with pytest.raises(TrainingError, match="cancelled: no one can enrol"):
        services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)


def test_someone_who_left_cannot_be_enrolled(upcoming_session, library, methodologist):
    gone = StaffFactory(
        library=library, left_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(TrainingError, match="no longer works at"):
        services.enrol(session=upcoming_session, staff=gone, actor=methodologist)


def test_cancelling_a_place_promotes_the_first_waiting_and_emails_them(
    upcoming_session,
    own_staff,
    colleague,
    methodologist,
    library,
    django_capture_on_commit_callbacks,
    immediate_tasks,
):
    first = services.enrol(
        session=upcoming_session, staff=own_staff, actor=methodologist
    )
    services.enrol(session=upcoming_session, staff=colleague, actor=methodologist)
    early = StaffFactory(library=library, full_name="Първа", email="first@example.org")
    late = StaffFactory(library=library, full_name="Втора", email="second@example.org")
    waiting_early = services.enrol(
        session=upcoming_session, staff=early, actor=methodologist
    )
    services.enrol(session=upcoming_session, staff=late, actor=methodologist)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(enrolment=first, actor=methodologist)
    waiting_early.refresh_from_db()
    assert waiting_early.status == Enrolment.Status.ENROLLED
    assert waiting_early.promoted_at is not None
    assert Enrolment.objects.get(staff=late).status == Enrolment.Status.WAITING
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    assert "waiting list" in mail.outbox[0].body


def test_reducing_capacity_drops_no_one_and_increasing_it_promotes(
    upcoming_session, own_staff, colleague, methodologist, library
):
    services.enrol(session=upcoming_session, staff=own_staff, actor=methodologist)
    services.enrol(session=upcoming_session, staff=colleague, actor=methodologist)
    waiting = services.enrol(
        session=upcoming_session,
        staff=StaffFactory(library=library),
        actor=methodologist,
    )
    services.update_session(
        actor=methodologist, session=upcoming_session, data={"capacity": 1}
    )
    assert upcoming_session.enrolments.holding_a_place().count() == 2
    services.update_session(
        actor=methodologist, session=upcoming_session, data={"capacity": 3}
    )
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_a_reporter_enrols_themselves_from_the_session_page(
    client_for, reporter, upcoming_session, own_staff
):
    response = client_for(reporter).post(
        f"/training/sessions/{upcoming_session.pk}/enrol/"
    )
    assert response.status_code == 302
    assert Enrolment.objects.get().staff == own_staff


def test_the_page_says_when_someone_goes_to_the_waiting_list(
    client_for, reporter, course, own_staff
):
    full = SessionFactory(course=course, capacity=1)
    EnrolmentFactory(session=full)
    response = client_for(reporter).post(
        f"/training/sessions/{full.pk}/enrol/", {"staff": own_staff.pk}, follow=True
    )
    assert "is on the waiting list" in response.content.decode()


def test_reporter_cannot_enrol_another_librarys_staff_through_the_page(
    client_for, reporter, upcoming_session, other_staff
):
    response = client_for(reporter).post(
        f"/training/sessions/{upcoming_session.pk}/enrol/",
        {"staff": other_staff.pk},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_the_page_shows_the_refusal_of_a_double_enrolment(
    client_for, reporter, upcoming_session, own_staff
):
    client = client_for(reporter)
    client.post(
        f"/training/sessions/{upcoming_session.pk}/enrol/", {"staff": own_staff.pk}
    )
    response = client.post(
        f"/training/sessions/{upcoming_session.pk}/enrol/",
        {"staff": own_staff.pk},
        follow=True,
    )
    assert "already enrolled" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_reporter_cannot_cancel_another_librarys_enrolment(
    client_for, reporter, upcoming_session, other_staff
):
    enrolment = EnrolmentFactory(session=upcoming_session, staff=other_staff)
    response = client_for(reporter).post(f"/training/enrolments/{enrolment.pk}/cancel/")
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_someone_who_cancelled_can_enrol_again_at_the_end_of_the_queue(
    upcoming_session, own_staff, reporter
):
    first = services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)
    services.cancel_enrolment(enrolment=first, actor=reporter)
    again = services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)
    assert again.pk == first.pk
    assert again.status == Enrolment.Status.ENROLLED
    assert again.requested_at > first.requested_at


def _library_of_another_district():
    from tests.factories import (
        DistrictFactory,
        LibraryFactory,
        MunicipalityFactory,
        SettlementFactory,
    )

    elsewhere = DistrictFactory(code="PLV", name="Пловдив")
    municipality = MunicipalityFactory(district=elsewhere, name="Асеновград")
    return LibraryFactory(settlement=SettlementFactory(municipality=municipality))


def test_a_methodologist_cannot_enrol_another_districts_staff(
    upcoming_session, methodologist
):
    stranger = StaffFactory(library=_library_of_another_district())
    with pytest.raises(PermissionDenied):
        services.enrol(session=upcoming_session, staff=stranger, actor=methodologist)
    assert not Enrolment.objects.exists()


def test_a_methodologist_cannot_enrol_another_districts_staff_by_posting_an_id(
    client_for, methodologist, upcoming_session
):
    stranger = StaffFactory(library=_library_of_another_district())
    response = client_for(methodologist).post(
        f"/training/sessions/{upcoming_session.pk}/enrol/", {"staff": stranger.pk}
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_no_one_is_enrolled_in_a_session_of_another_district(own_staff, reporter):
    from methodica.training.tests.factories import CourseFactory
    from tests.factories import DistrictFactory

    elsewhere = SessionFactory(
        course=CourseFactory(
            programme__district=DistrictFactory(code="PLV", name="Пловдив")
        )
    )
    with pytest.raises(PermissionDenied):
        services.enrol(session=elsewhere, staff=own_staff, actor=reporter)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("status", ["closed", "suspended"])
def test_staff_of_a_library_no_longer_active_cannot_be_enrolled(
    upcoming_session, own_staff, methodologist, library, status
):
    from methodica.libraries.models import Library

    Library.objects.filter(pk=library.pk).update(status=status)
    own_staff.refresh_from_db()
    with pytest.raises(TrainingError, match="is not active: its staff cannot be"):
        services.enrol(session=upcoming_session, staff=own_staff, actor=methodologist)
    assert not Enrolment.objects.exists()


def test_promotion_skips_and_cancels_those_who_left_meanwhile(
    upcoming_session, own_staff, colleague, methodologist, library
):
    first = services.enrol(
        session=upcoming_session, staff=own_staff, actor=methodologist
    )
    services.enrol(session=upcoming_session, staff=colleague, actor=methodologist)
    gone = services.enrol(
        session=upcoming_session,
        staff=StaffFactory(library=library),
        actor=methodologist,
    )
    next_one = services.enrol(
        session=upcoming_session,
        staff=StaffFactory(library=library),
        actor=methodologist,
    )
    gone.staff.left_on = timezone.localdate()
    gone.staff.save(update_fields=["left_on"])
    services.cancel_enrolment(enrolment=first, actor=methodologist)
    gone.refresh_from_db()
    next_one.refresh_from_db()
    assert gone.status == Enrolment.Status.CANCELLED
    assert next_one.status == Enrolment.Status.ENROLLED
    entry = AuditEntry.objects.filter(action="enrolment.cancelled").latest("id")
    assert entry.changes["status"] == {"before": "waiting", "after": "cancelled"}


def test_re_enrolling_a_cancelled_row_audits_it_as_cancelled_before(
    upcoming_session, own_staff, reporter, methodologist
):
    first = services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)
    Enrolment.objects.filter(pk=first.pk).update(
        status=Enrolment.Status.CANCELLED, attendance_marked_by=methodologist
    )
    again = services.enrol(session=upcoming_session, staff=own_staff, actor=reporter)
    again.refresh_from_db()
    assert again.attendance_marked_by is None
    entry = AuditEntry.objects.filter(action="enrolment.created").latest("id")
    assert entry.changes["status"] == {"before": "cancelled", "after": "enrolled"}
