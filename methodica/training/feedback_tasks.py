"""Background work of the feedback surveys: emailing the links, and sending the
survey of every session that has ended (``methodica manage training_feedback`` from
cron, or the worker)."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.core.tasks import retry_later
from methodica.training import surveys
from methodica.training.models import SurveyTicket


def site_url(request: Any = None) -> str:
    """The address links start with (read when used, not at import).

    ``SITE_URL`` (``METHODICA_SITE_URL``) when configured; else the address of the
    request, and for the worker the first allowed host.
    """
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
    return f"http://{host.lstrip('.')}"


def feedback_link(token: str) -> str:
    return site_url() + reverse("training:feedback_answer", args=[token])


def _message(ticket: SurveyTicket, link: str) -> tuple[str, str]:
    session = ticket.enrolment.session
    subject = _("How was “%(course)s”? A short survey") % {
        "course": session.course.title
    }
    body = _(
        "Hello %(name)s,\n\nthank you for taking part in “%(course)s”. Please tell us "
        "in two minutes how it was:\n\n%(link)s\n\nThe link is yours alone and works "
        "once.%(anonymous)s\n"
    ) % {
        "name": ticket.enrolment.staff.full_name,
        "course": session.course.title,
        "link": link,
        "anonymous": " " + _("Your answers are anonymous.")
        if session.survey and session.survey.anonymous
        else "",
    }
    return subject, body


@task()
def mail_feedback_links(session_id: int, attempt: int = 1) -> None:
    """Email the link to each ticket of the session not yet sent.

    Each ticket gets a new token here, so the token travels only in the email; a
    ticket whose email failed stays unsent and is tried again.
    """
    tickets = SurveyTicket.objects.filter(
        enrolment__session_id=session_id, sent_at__isnull=True, used=False
    ).select_related("enrolment__staff__user", "enrolment__session__course__programme")
    tickets = tickets.select_related("enrolment__session__survey")
    for ticket in tickets:
        email = ticket.enrolment.staff.email or (
            ticket.enrolment.staff.user.email if ticket.enrolment.staff.user else ""
        )
        if not email:
            continue  # they answer while signed in, from /training/feedback/mine/
        token = surveys.reissue_token(ticket=ticket)
        if token is None:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(ticket, feedback_link(token))
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        except (smtplib.SMTPException, OSError) as error:
            retry_later(
                mail_feedback_links,
                attempt=attempt,
                error=error,
                session_id=session_id,
            )
            return
        surveys.mark_sent(ticket=ticket)


@task()
def send_feedback_surveys() -> int:
    """Send the survey of every session that has ended and not had it yet."""
    return surveys.send_due_feedback()
