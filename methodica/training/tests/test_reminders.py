"""Reminders: emailed once to the enrolled of sessions starting within two days."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from methodica.training import services
from methodica.training.models import Enrolment
from methodica.training.tasks import send_session_reminders
from methodica.training.tests.factories import EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def soon(course, **kwargs):
    return SessionFactory(
        course=course, starts_at=timezone.now() + datetime.timedelta(days=1), **kwargs
    )


def test_the_enrolled_of_a_session_soon_are_reminded_once(course, own_staff, colleague):
    session = soon(course)
    reminded = EnrolmentFactory(session=session, staff=own_staff)
    EnrolmentFactory(session=session, staff=colleague, status=Enrolment.Status.WAITING)
    assert send_session_reminders.call() == 1
    assert [m.to for m in mail.outbox] == [[own_staff.email]]
    reminded.refresh_from_db()
    assert reminded.reminded_at is not None
    assert send_session_reminders.call() == 0
    assert len(mail.outbox) == 1


def test_sessions_further_away_or_cancelled_are_not_reminded(
    course, upcoming_session, own_staff, colleague
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    EnrolmentFactory(session=soon(course, status="cancelled"), staff=colleague)
    assert send_session_reminders.call() == 0
    assert mail.outbox == []


def test_the_command_sends_the_reminders(course, own_staff):
    EnrolmentFactory(session=soon(course), staff=own_staff)
    call_command("training_reminders")
    assert len(mail.outbox) == 1


def test_enrolling_into_a_session_soon_sends_the_reminder_at_once(
    course, own_staff, reporter, django_capture_on_commit_callbacks, immediate_tasks
):
    session = soon(course)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session=session, staff=own_staff, actor=reporter)
    assert [m.to for m in mail.outbox] == [[own_staff.email]]


def test_two_runs_at_once_send_each_reminder_only_once(
    course, own_staff, colleague, monkeypatch
):
    from methodica.training import tasks

    session = soon(course)
    EnrolmentFactory(session=session, staff=own_staff)
    EnrolmentFactory(session=session, staff=colleague)
    sent = []
    real_send = tasks._send

    def send_while_another_run_starts(subject, body, to):
        sent.append(to)
        if len(sent) == 1:
            # A second run (cron and the worker) starts while this email goes out.
            send_session_reminders.call()
        real_send(subject, body, to)

    monkeypatch.setattr(tasks, "_send", send_while_another_run_starts)
    send_session_reminders.call()
    assert sorted(sent) == sorted([own_staff.email, colleague.email])
    assert len(mail.outbox) == 2
    assert not Enrolment.objects.filter(reminded_at__isnull=True).exists()


def test_a_failed_reminder_is_tried_again_on_the_next_run(
    course, own_staff, monkeypatch
):
    import smtplib

    from methodica.training import tasks

    enrolment = EnrolmentFactory(session=soon(course), staff=own_staff)

    def refuse(subject, body, to):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr(tasks, "_send", refuse)
    assert send_session_reminders.call() == 0
    enrolment.refresh_from_db()
    assert enrolment.reminded_at is None
    monkeypatch.undo()
    assert send_session_reminders.call() == 1
    assert len(mail.outbox) == 1
