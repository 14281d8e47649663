"""Background work of the annual reports: reminder emails, and the open-data files of
a closed year."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.accounts.models import Membership
from methodica.core.permissions import Role
from methodica.core.tasks import retry_later
from methodica.reporting import open_data
from methodica.reporting.models import Campaign, Report


def recipients(report: Report) -> list[str]:
    """The library's reporters and the library's own address."""
    emails = set(
        Membership.objects.filter(
            library_id=report.library_id, role=Role.REPORTER, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if report.library.email:
        emails.add(report.library.email)
    return sorted(email for email in emails if email)


@task()
def send_report_reminder(
    report_id: int, url: str, language: str, attempt: int = 1
) -> None:
    report = (
        Report.objects.select_related("campaign__form", "library")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.status in (
        Report.Status.SUBMITTED,
        Report.Status.ACCEPTED,
    ):
        return  # submitted meanwhile: no reminder needed
    to = recipients(report)
    if not to:
        return
    with translation.override(language):
        subject = _("Reminder: the annual report for %(year)s") % {
            "year": report.campaign.year
        }
        body = _(
            "Hello,\n\nthe annual report of %(library)s for %(year)s is due on %(deadline)s. "
            "It is now: %(status)s, %(complete)s%% complete.\n\nOpen it here: %(url)s\n"
        ) % {
            "library": report.library.name,
            "year": report.campaign.year,
            "deadline": report.campaign.deadline.isoformat(),
            "status": report.get_status_display(),
            "complete": report.completeness,
            "url": url,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            send_report_reminder,
            attempt=attempt,
            error=error,
            report_id=report_id,
            url=url,
            language=language,
        )


@task()
def publish_open_data(campaign_id: int) -> None:
    """Write the open-data files of a closed year (enqueued when it is closed)."""
    campaign = (
        Campaign.objects.select_related("form__district")
        .filter(pk=campaign_id, state=Campaign.State.CLOSED)
        .first()
    )
    if campaign is None:
        return  # gone, or not closed: nothing may be published
    open_data.publish(campaign)
