"""Attendance: one form, a checkbox per person with a place, after the start."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from methodica.core.models import AuditEntry
from methodica.training import services
from methodica.training.models import Enrolment
from methodica.training.services import TrainingError
from methodica.training.tests.factories import EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def started(course):
    starts = timezone.now() - datetime.timedelta(hours=1)
    return SessionFactory(course=course, starts_at=starts)


def test_a_methodologist_marks_who_was_present(
    client_for, methodologist, started, own_staff, colleague
):
    present = EnrolmentFactory(session=started, staff=own_staff)
    absent = EnrolmentFactory(session=started, staff=colleague)
    response = client_for(methodologist).post(
        f"/training/sessions/{started.pk}/attendance/", {"present": [present.pk]}
    )
    assert response.status_code == 302
    present.refresh_from_db()
    absent.refresh_from_db()
    assert (present.attended, absent.attended) == (True, False)
    assert present.attendance_marked_by == methodologist
    entry = AuditEntry.objects.get(action="session.attendance_marked")
    assert entry.changes["present"]["after"] == [present.pk]


def test_the_form_lists_the_enrolled_with_checkboxes(
    client_for, methodologist, started, own_staff
):
    enrolment = EnrolmentFactory(session=started, staff=own_staff)
    page = client_for(methodologist).get(f"/training/sessions/{started.pk}/attendance/")
    text = page.content.decode()
    assert f'value="{enrolment.pk}" id="present-{enrolment.pk}"' in text
    assert f'<label class="form-check-label" for="present-{enrolment.pk}">' in text


def test_attendance_cannot_be_marked_before_the_start(
    methodologist, upcoming_session, own_staff
):
    enrolment = EnrolmentFactory(session=upcoming_session, staff=own_staff)
    with pytest.raises(TrainingError, match="only once the session has started"):
        services.mark_attendance(
            session=upcoming_session, present_ids=[enrolment.pk], actor=methodologist
        )
    enrolment.refresh_from_db()
    assert enrolment.attended is None


def test_the_waiting_list_cannot_be_marked(
    methodologist, started, own_staff, colleague
):
    enrolled = EnrolmentFactory(session=started, staff=own_staff)
    waiting = EnrolmentFactory(
        session=started, staff=colleague, status=Enrolment.Status.WAITING
    )
    with pytest.raises(TrainingError, match="not those on the waiting list"):
        services.mark_attendance(
            session=started, present_ids=[enrolled.pk, waiting.pk], actor=methodologist
        )
    enrolled.refresh_from_db()
    assert enrolled.attended is None  # nothing half-written


def test_reporter_cannot_mark_attendance(client_for, reporter, started, own_staff):
    enrolment = EnrolmentFactory(session=started, staff=own_staff)
    response = client_for(reporter).post(
        f"/training/sessions/{started.pk}/attendance/", {"present": [enrolment.pk]}
    )
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.attended is None
