"""Sending the feedback survey after a session: tickets, the emailed one-time links,
the scheduled run and the button on the session page."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.training import feedback_tasks, surveys
from methodica.training.models import SurveyTicket
from methodica.training.tests.conftest import attend
from methodica.training.tests.factories import SessionFactory
from tests.factories import StaffFactory

LINK = re.compile(r"https?://\S+/training/feedback/([\w-]+)/")

pytestmark = pytest.mark.usefixtures("in_english")


def _links():
    return [LINK.search(message.body).group(1) for message in mail.outbox]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://methodica.example.bg"


def test_send_makes_a_ticket_for_each_participant_who_attended(
    methodologist, past_session, attendees, library, django_capture_on_commit_callbacks
):
    absent = attend(past_session, StaffFactory(library=library))
    absent.attended = False
    absent.save(update_fields=["attended"])

    with django_capture_on_commit_callbacks(execute=False):
        count = surveys.send_feedback(session=past_session, actor=methodologist)

    assert count == 3
    assert SurveyTicket.objects.filter(enrolment__session=past_session).count() == 3
    past_session.refresh_from_db()
    assert past_session.feedback_sent_at is not None
    assert past_session.survey.is_default
    entry = AuditEntry.objects.get(action="training.feedback.sent")
    assert entry.changes["tickets"]["after"] == 3


def test_emailed_link_opens_the_survey_and_only_its_hash_is_stored(
    methodologist, past_session, attendees, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
    feedback_tasks.mail_feedback_links.call(session_id=past_session.pk)

    tokens = _links()
    assert len(tokens) == 3
    assert mail.outbox[0].body.count("https://methodica.example.bg/training/") == 1
    stored = set(SurveyTicket.objects.values_list("token_hash", flat=True))
    assert not stored & set(tokens)
    assert {surveys.hash_token(t) for t in tokens} == stored
    assert SurveyTicket.objects.filter(sent_at__isnull=True).count() == 0
    page = client.get(f"/training/feedback/{tokens[0]}/")
    assert page.status_code == 200
    assert "Каталогизация" in page.content.decode()


def test_mailing_twice_sends_nothing_more(
    methodologist, past_session, attendees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
    feedback_tasks.mail_feedback_links.call(session_id=past_session.pk)
    feedback_tasks.mail_feedback_links.call(session_id=past_session.pk)

    assert len(mail.outbox) == 3


def test_survey_of_a_session_that_has_not_ended_is_refused(methodologist, district):
    session = SessionFactory(course__programme__district=district)

    with pytest.raises(DomainError, match="ended"):
        surveys.send_feedback(session=session, actor=methodologist)
    session.refresh_from_db()
    assert session.feedback_sent_at is None
    assert not SurveyTicket.objects.exists()


def test_reporter_cannot_send_the_survey(reporter, past_session, attendees, client_for):
    response = client_for(reporter).post(
        f"/training/sessions/{past_session.pk}/send-feedback/"
    )
    assert response.status_code == 404
    past_session.refresh_from_db()
    assert past_session.feedback_sent_at is None


def test_scheduled_run_sends_ended_sessions_once(
    past_session, attendees, district, django_capture_on_commit_callbacks
):
    upcoming = SessionFactory(course=past_session.course)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("training_feedback", stdout=io.StringIO())
        call_command("training_feedback", stdout=io.StringIO())

    past_session.refresh_from_db()
    upcoming.refresh_from_db()
    assert past_session.feedback_sent_at is not None
    assert upcoming.feedback_sent_at is None
    assert SurveyTicket.objects.count() == 3


def test_send_button_tells_how_many_get_the_survey(
    methodologist, past_session, attendees, client_for
):
    response = client_for(methodologist).post(
        f"/training/sessions/{past_session.pk}/send-feedback/", follow=False
    )
    assert response.status_code == 302
    assert SurveyTicket.objects.count() == 3


def test_participants_marked_later_get_the_survey_on_a_second_send(
    methodologist, past_session, attendees, library, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
        attend(past_session, StaffFactory(library=library))
        again = surveys.send_feedback(session=past_session, actor=methodologist)

    assert again == 1
    assert SurveyTicket.objects.count() == 4


def test_session_panel_offers_results_sending_and_certificates(
    methodologist, reporter, past_session, rf
):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = methodologist
    html = render_to_string(
        "training/feedback/_session_panel.html",
        {"session": past_session, "request": request},
        request=request,
    )
    assert f"/training/sessions/{past_session.pk}/results/" in html
    assert f"/training/sessions/{past_session.pk}/send-feedback/" in html
    assert f"/training/sessions/{past_session.pk}/certificates/" in html
    request.user = reporter
    assert "send-feedback" not in render_to_string(
        "training/feedback/_session_panel.html",
        {"session": past_session, "request": request},
        request=request,
    )


def test_attendance_marked_after_the_scheduled_run_still_gets_the_survey(
    past_session, library, django_capture_on_commit_callbacks, immediate_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("training_feedback", stdout=io.StringIO())
    past_session.refresh_from_db()
    assert past_session.feedback_sent_at is None  # nobody attended yet: not sent

    attend(past_session, StaffFactory(library=library, email="late@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("training_feedback", stdout=out)

    past_session.refresh_from_db()
    assert past_session.feedback_sent_at is not None
    assert SurveyTicket.objects.filter(enrolment__session=past_session).count() == 1
    assert len(mail.outbox) == 1
    assert "1 session" in out.getvalue()


def test_send_with_nobody_attended_is_refused_and_nothing_is_marked(
    methodologist, past_session
):
    with pytest.raises(DomainError, match="mark the attendance"):
        surveys.send_feedback(session=past_session, actor=methodologist)
    past_session.refresh_from_db()
    assert past_session.feedback_sent_at is None


def test_two_mailing_runs_at_once_send_one_link_each(
    methodologist, past_session, attendees, django_capture_on_commit_callbacks
):
    """The first run holds the ticket's lock while it emails: the second skips it."""
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
    first = SurveyTicket.objects.filter(enrolment=attendees[0]).get()
    with transaction.atomic():
        assert surveys.claim_unsent(ticket_id=first.pk) is not None
        assert surveys.claim_unsent(ticket_id=first.pk) is not None  # same holder
        # Another connection would skip the locked row; once sent it is unclaimable.
        surveys.mark_sent(ticket=first)
    assert surveys.claim_unsent(ticket_id=first.pk) is None
    feedback_tasks.mail_feedback_links.call(session_id=past_session.pk)
    assert len(mail.outbox) == 2  # the two others, never the first again


def test_failed_email_keeps_the_ticket_unsent_with_its_old_token(
    methodologist,
    past_session,
    attendees,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    import smtplib

    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
    hashes = set(SurveyTicket.objects.values_list("token_hash", flat=True))

    def refuse(*args, **kwargs):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr(feedback_tasks, "send_mail", refuse)
    monkeypatch.setattr(feedback_tasks, "retry_later", lambda *a, **k: None)
    feedback_tasks.mail_feedback_links.call(session_id=past_session.pk)

    assert not SurveyTicket.objects.exclude(sent_at=None).exists()
    assert set(SurveyTicket.objects.values_list("token_hash", flat=True)) == hashes


def test_closed_survey_cannot_be_sent_again(
    methodologist, past_session, attendees, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
    past_session.feedback_sent_at = timezone.now() - datetime.timedelta(days=15)
    past_session.save(update_fields=["feedback_sent_at"])

    with pytest.raises(DomainError, match="closed on"):
        surveys.send_feedback(session=past_session, actor=methodologist)
    assert past_session not in surveys.sessions_due_for_feedback()


def test_survey_of_a_session_cannot_change_once_it_went_out(
    methodologist, past_session, attendees, district, django_capture_on_commit_callbacks
):
    from methodica.training import services
    from methodica.training.models import Survey

    with django_capture_on_commit_callbacks(execute=False):
        surveys.send_feedback(session=past_session, actor=methodologist)
    other = Survey.objects.create(district=district, title="Друга")

    with pytest.raises(DomainError, match="can no longer change"):
        services.update_session(
            actor=methodologist, session=past_session, data={"survey": other}
        )
    past_session.refresh_from_db()
    assert past_session.survey.is_default


def test_answering_signed_in_fixes_the_survey_on_the_session(
    reporter, client_for, past_session, default_survey, attendees
):
    assert past_session.survey_id is None
    client_for(reporter).get(f"/training/feedback/mine/{attendees[0].pk}/")
    past_session.refresh_from_db()
    assert past_session.survey == default_survey


def test_links_without_site_url_use_https_and_warn(settings, caplog):
    settings.SITE_URL = ""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["methodica.example.bg"]

    assert feedback_tasks.site_url() == "https://methodica.example.bg"
    assert "METHODICA_SITE_URL" in caplog.text
    assert [w.id for w in feedback_tasks.check_site_url()] == ["training.W001"]
