"""One ticket sent twice at once (a double click, two tabs): one response is kept."""

from __future__ import annotations

import pytest

from methodica.core.errors import DomainError
from methodica.training import surveys
from methodica.training.models import Response, SurveyTicket
from methodica.training.tests.test_enrolment_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_english"),
]


def test_the_same_survey_answered_twice_at_once_is_kept_once(
    past_session, default_survey, attendees
):
    past_session.survey = default_survey
    past_session.save(update_fields=["survey"])
    _token, token_hash = surveys.new_token()
    ticket = SurveyTicket.objects.create(enrolment=attendees[0], token_hash=token_hash)
    question = default_survey.questions.first()

    results = in_threads(
        [
            lambda: surveys.submit_response(ticket=ticket, answers={question.pk: "5"}),
            lambda: surveys.submit_response(ticket=ticket, answers={question.pk: "1"}),
        ]
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    assert "вече е попълнена" in refused[0].message
    assert Response.objects.count() == 1


def test_two_mailing_runs_at_once_email_each_link_once(
    methodologist, past_session, attendees, monkeypatch
):
    """Two workers mailing the same session at the same moment: each ticket is
    claimed by one of them (its lock held until the email is sent)."""
    import time

    from django.core import mail

    from methodica.training import feedback_tasks

    surveys.send_feedback(session=past_session, actor=methodologist, notify=False)
    real_send = feedback_tasks.send_mail

    def slow_send(*args, **kwargs):
        time.sleep(0.2)  # both runs are now inside the loop together
        return real_send(*args, **kwargs)

    monkeypatch.setattr(feedback_tasks, "send_mail", slow_send)
    mail.outbox = []

    results = in_threads(
        [
            lambda: feedback_tasks.mail_feedback_links.call(session_id=past_session.pk),
            lambda: feedback_tasks.mail_feedback_links.call(session_id=past_session.pk),
        ]
    )

    assert not any(isinstance(r, Exception) for r in results), results
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(e.staff.email for e in attendees)
    assert not SurveyTicket.objects.filter(sent_at=None).exists()
