"""Background work of methodological help: the emails about questions and visits.

Each task takes ids, reads the rows again (they may have changed or gone) and is
retried by :func:`methodica.core.tasks.retry_later` when the mail server fails.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.accounts.models import Membership
from methodica.core.permissions import ROLE_PERMISSIONS, has_perm
from methodica.core.tasks import retry_later
from methodica.support.models import Consultation, Message, Visit

_ANSWERING_ROLES = sorted(
    role
    for role, perms in ROLE_PERMISSIONS.items()
    if "support.request:answer" in perms
)


def _may(user: Any, perm: str, consultation: Consultation) -> bool:
    """Whether ``user`` is someone to email: an address, active, still allowed
    (a membership may have ended since the question was asked)."""
    return bool(
        user is not None
        and user.email
        and user.is_active
        and has_perm(user, perm, consultation)
    )


def methodologist_emails(consultation: Consultation) -> list[str]:
    """Those who may answer: the district's and the library's municipality's
    methodologists (and administrators) with an email; the owner alone once the
    question has one and may still answer it."""
    owner = consultation.owner
    if _may(owner, "support.request:answer", consultation):
        return [owner.email]
    library = consultation.library
    scope = Q(district_id=consultation.district_id)
    if library is not None:
        scope |= Q(municipality_id=library.municipality_id)
    emails = Membership.objects.filter(
        scope, role__in=_ANSWERING_ROLES, user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted({email for email in emails if email})


def library_emails(consultation: Consultation) -> list[str]:
    """The library's address and the one who asked, while they may see the thread."""
    emails = set()
    if consultation.library is not None and consultation.library.email:
        emails.add(consultation.library.email)
    if _may(consultation.asked_by, "support.consultation:view", consultation):
        emails.add(consultation.asked_by.email)
    return sorted(emails)


@task()
def notify_methodologists(
    consultation_id: int, url: str, language: str, reply: bool = False, attempt: int = 1
) -> None:
    consultation = (
        Consultation.objects.select_related("library__municipality", "owner", "topic")
        .filter(pk=consultation_id)
        .first()
    )
    if consultation is None:
        return
    to = methodologist_emails(consultation)
    if not to:
        return
    last = consultation.messages.order_by("-created_at", "-id").first()
    with translation.override(language):
        subject = (
            _("A reply from %(library)s") if reply else _("A question from %(library)s")
        ) % {"library": consultation.library}
        body = _("%(library)s wrote:\n\n%(text)s\n\nAnswer it here: %(url)s\n") % {
            "library": consultation.library,
            "text": last.body if last else consultation.question,
            "url": url,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            notify_methodologists,
            attempt=attempt,
            error=error,
            consultation_id=consultation_id,
            url=url,
            language=language,
            reply=reply,
        )


@task()
def notify_library(message_id: int, url: str, language: str, attempt: int = 1) -> None:
    message = (
        Message.objects.select_related(
            "consultation__library__municipality", "consultation__asked_by", "author"
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return
    consultation = message.consultation
    to = library_emails(consultation)
    if not to:
        return
    with translation.override(language):
        subject = _("The methodologists answered your question")
        body = _(
            "Your question:\n%(question)s\n\nThe answer:\n%(answer)s\n\n"
            "The whole thread: %(url)s\n"
        ) % {
            "question": consultation.question,
            "answer": message.body,
            "url": url,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            notify_library,
            attempt=attempt,
            error=error,
            message_id=message_id,
            url=url,
            language=language,
        )


@task()
def send_visit_report_email(visit_id: int, language: str, attempt: int = 1) -> None:
    from methodica.support import pdf
    from methodica.support.services import mark_report_sent
    from methodica.support.visits import report_recipients

    visit = (
        Visit.objects.select_related("library__municipality__district", "methodologist")
        .filter(pk=visit_id, status=Visit.Status.DONE)
        .first()
    )
    if visit is None:
        return
    to = report_recipients(visit)
    if not to:
        return
    with translation.override(language):
        subject = _("Visit report: %(library)s, %(date)s") % {
            "library": visit.library.name,
            "date": date_format(visit.visited_on, "SHORT_DATE_FORMAT"),
        }
        body = _(
            "Hello,\n\nattached is the report of the methodological visit to "
            "%(library)s on %(date)s.\n"
        ) % {
            "library": visit.library.name,
            "date": date_format(visit.visited_on, "SHORT_DATE_FORMAT"),
        }
        document = pdf.visit_report(visit)
    email = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    email.attach(pdf.filename(visit), document, "application/pdf")
    try:
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            send_visit_report_email,
            attempt=attempt,
            error=error,
            visit_id=visit_id,
            language=language,
        )
        return
    mark_report_sent(visit_id=visit_id, to=to)
