"""Background work of training: invitations, notices and reminders by email."""

from __future__ import annotations

import datetime
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.core.tasks import retry_later
from methodica.training.models import Enrolment, Invitation, Session

REMIND_BEFORE = datetime.timedelta(days=2)


def describe(session: Session) -> str:
    """When and where, in the current language."""
    starts = timezone.localtime(session.starts_at)
    when = date_format(starts, "DATE_FORMAT")
    if not session.all_day:
        when = _("%(date)s at %(time)s") % {
            "date": when,
            "time": date_format(starts, "TIME_FORMAT"),
        }
    where = session.place or session.online_url
    return _("%(course)s\n%(when)s\n%(where)s\nTrainer: %(trainer)s") % {
        "course": session.course.title,
        "when": when,
        "where": where,
        "trainer": session.trainer,
    }


def _send(subject: str, body: str, to: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@task()
def send_invitation(
    invitation_id: int, site_url: str, language: str, attempt: int = 1
) -> None:
    invitation = (
        Invitation.objects.select_related("session__course", "staff")
        .filter(pk=invitation_id, emailed_at__isnull=True)
        .first()
    )
    if invitation is None or not invitation.staff.email:
        return
    session = invitation.session
    # Queued before a cancellation, or retried until too late: nothing to invite to.
    if session.status != Session.Status.SCHEDULED or session.is_past:
        return
    with translation.override(language):
        subject = _("Invitation: %(course)s") % {"course": session.course.title}
        body = _(
            "Hello, %(name)s,\n\nyou are invited to a training session:\n\n"
            "%(session)s\n\nAsk your library to enrol you, or enrol here: %(url)s\n"
        ) % {
            "name": invitation.staff.full_name,
            "session": describe(session),
            # The configured address first (METHODICA_SITE_URL), as the feedback
            # links do; else the one the invitation was sent from.
            "url": f"{(settings.SITE_URL or site_url).rstrip('/')}"
            f"/training/sessions/{session.pk}/",
        }
    try:
        _send(subject, body, invitation.staff.email)
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            send_invitation,
            attempt=attempt,
            error=error,
            invitation_id=invitation_id,
            site_url=site_url,
            language=language,
        )
        return
    Invitation.objects.filter(pk=invitation_id).update(emailed_at=timezone.now())


@task()
def send_enrolment_notice(
    enrolment_id: int, kind: str, reason: str, language: str, attempt: int = 1
) -> None:
    """``kind``: "promoted" (a place came free), "session_changed" (its time or
    place changed) or "session_cancelled"."""
    enrolment = (
        Enrolment.objects.select_related("session__course", "staff")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or not enrolment.staff.email:
        return
    session = enrolment.session
    with translation.override(language):
        if kind == "promoted":
            if enrolment.status != Enrolment.Status.ENROLLED:
                return
            subject = _("A place for you: %(course)s") % {
                "course": session.course.title
            }
            body = _(
                "Hello, %(name)s,\n\na place came free and you moved from the "
                "waiting list: you are now enrolled in\n\n%(session)s\n"
            )
        elif kind == "session_changed":
            if enrolment.status == Enrolment.Status.CANCELLED:
                return
            if session.status != Session.Status.SCHEDULED:
                return
            subject = _("Changed: %(course)s") % {"course": session.course.title}
            body = _(
                "Hello, %(name)s,\n\nthe training session you enrolled in has "
                "changed. It is now:\n\n%(session)s\n"
            )
        else:
            subject = _("Cancelled: %(course)s") % {"course": session.course.title}
            body = _(
                "Hello, %(name)s,\n\nthe training session you enrolled in is "
                "cancelled:\n\n%(session)s\n"
            )
        body = body % {"name": enrolment.staff.full_name, "session": describe(session)}
        if reason:
            body += "\n" + reason + "\n"
    try:
        _send(subject, body, enrolment.staff.email)
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            send_enrolment_notice,
            attempt=attempt,
            error=error,
            enrolment_id=enrolment_id,
            kind=kind,
            reason=reason,
            language=language,
        )


@task()
def send_session_reminders(language: str = "bg") -> int:
    """Remind everyone enrolled in a session starting within two days, once.

    Run by cron through ``manage.py training_reminders`` and enqueued after an
    enrolment into a session that is that soon. Each enrolment is claimed first by
    a conditional UPDATE (``reminded_at`` still empty): of two runs at once only the
    one whose UPDATE changed the row sends. A failed send gives the claim back, so
    the next run tries again.
    """
    now = timezone.now()
    due = (
        Enrolment.objects.select_related("session__course", "staff")
        .filter(
            status=Enrolment.Status.ENROLLED,
            reminded_at__isnull=True,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + REMIND_BEFORE,
        )
        .exclude(staff__email="")
        .order_by("session__starts_at", "id")
    )
    sent = 0
    for enrolment in due:
        session = enrolment.session
        with translation.override(language):
            subject = _("Reminder: %(course)s") % {"course": session.course.title}
            body = _(
                "Hello, %(name)s,\n\na reminder of the training session you are "
                "enrolled in:\n\n%(session)s\n"
            ) % {"name": enrolment.staff.full_name, "session": describe(session)}
            if session.online_url:
                body += "\n" + session.online_url + "\n"
        claimed_at = timezone.now()
        claimed = Enrolment.objects.filter(
            pk=enrolment.pk, reminded_at__isnull=True
        ).update(reminded_at=claimed_at)
        if claimed != 1:
            continue  # another run has it
        try:
            _send(subject, body, enrolment.staff.email)
        except (smtplib.SMTPException, OSError):
            # Give the claim back, unless someone changed it since.
            Enrolment.objects.filter(pk=enrolment.pk, reminded_at=claimed_at).update(
                reminded_at=None
            )
            continue
        sent += 1
    return sent
