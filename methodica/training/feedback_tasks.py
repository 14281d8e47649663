"""Background work of the feedback surveys: emailing the links, and sending the
survey of every session that has ended (``methodica manage training_feedback`` from
cron, or the worker)."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.core.tasks import retry_later
from methodica.training import surveys
from methodica.training.models import Session, SurveyTicket

logger = logging.getLogger(__name__)


def site_url(request: Any = None) -> str:
    """The address links start with (read when used, not at import).

    ``SITE_URL`` (``METHODICA_SITE_URL``) when configured; else the address of the
    request, and for the worker the first allowed host, over https outside DEBUG
    (with a warning: links in emails and QR codes should not depend on a guess).
    """
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
    if settings.DEBUG:
        return f"http://{host.lstrip('.')}"
    logger.warning(
        "METHODICA_SITE_URL is not set: emailed links use https://%s", host.lstrip(".")
    )
    return f"https://{host.lstrip('.')}"


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
    ticket whose email failed stays unsent (its old token) and is tried again. A
    closed survey is not mailed any more.
    """
    session = Session.objects.filter(pk=session_id).first()
    if session is None or surveys.is_closed(session):
        return
    ids = SurveyTicket.objects.filter(
        enrolment__session_id=session_id, sent_at__isnull=True, used=False
    ).values_list("pk", flat=True)
    for ticket_id in list(ids):
        try:
            _mail_one(ticket_id)
        except (smtplib.SMTPException, OSError) as error:
            retry_later(
                mail_feedback_links,
                attempt=attempt,
                error=error,
                session_id=session_id,
            )
            return


def _mail_one(ticket_id: int) -> None:
    """Email one ticket's link, holding its row lock from the new token to
    ``sent_at``: a second mailing run meanwhile skips it, and a failed email rolls
    the new token back, so nobody ever gets two live links."""
    with transaction.atomic():
        ticket = surveys.claim_unsent(ticket_id=ticket_id)
        if ticket is None:
            return
        staff = ticket.enrolment.staff
        email = staff.email or (staff.user.email if staff.user else "")
        if not email:
            return  # they answer while signed in, from /training/feedback/mine/
        token = surveys.reissue_token(ticket=ticket)
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(ticket, feedback_link(token))
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        surveys.mark_sent(ticket=ticket)


@task()
def send_feedback_surveys() -> int:
    """Send the survey of every session that has ended and not had it yet."""
    return surveys.send_due_feedback()


def check_site_url(app_configs: Any = None, **kwargs: Any) -> list:
    """``manage.py check --deploy``: emailed links and QR codes need SITE_URL."""
    from django.core.checks import Warning as CheckWarning

    if getattr(settings, "SITE_URL", ""):
        return []
    return [
        CheckWarning(
            "METHODICA_SITE_URL is not set.",
            hint=(
                "Emailed survey links and the QR codes of certificates then start "
                "with https:// and the first of ALLOWED_HOSTS."
            ),
            id="training.W001",
        )
    ]
