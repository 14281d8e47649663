"""Background work of the local-history collection: the fixity audit and its alarm."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.accounts.models import Membership
from methodica.core.permissions import Role
from methodica.core.tasks import retry_later
from methodica.heritage.models import MasterFile

logger = logging.getLogger(__name__)


@task()
def audit_fixity() -> None:
    """The scheduled fixity audit of every master (see docs/operations.md)."""
    from methodica.heritage.fixity import run_audit

    run_audit()


def alarm_recipients(district_id: int) -> list[str]:
    """The district's administrators; the site's ADMINS when it has none with mail."""
    emails = Membership.objects.filter(
        district_id=district_id, role=Role.DISTRICT_ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    found = sorted({email for email in emails if email})
    return found or [email for _name, email in settings.ADMINS]


@task()
def send_fixity_alarm(file_ids: list[int], attempt: int = 1) -> None:
    """Tell each district's administrators which of its masters failed the check.

    One mail per district, so that nobody learns of another district's files.
    """
    masters = list(
        MasterFile.objects.filter(pk__in=file_ids)
        .select_related("item")
        .order_by("item__identifier", "order")
    )
    by_district: dict[int, list[MasterFile]] = {}
    for master in masters:
        by_district.setdefault(master.item.district_id, []).append(master)
    for district_id, failed in sorted(by_district.items()):
        _send_alarm(district_id, failed, attempt)


def _send_alarm(district_id: int, masters: list[MasterFile], attempt: int) -> None:
    to = alarm_recipients(district_id)
    if not to:
        logger.error(
            "No one to tell of the fixity failures in district %s", district_id
        )
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("ALARM: %(count)s master files failed the fixity check") % {
            "count": len(masters)
        }
        lines = [
            _(
                "These master files no longer match their recorded SHA-256. Nothing "
                "has been changed: restore them from a backup after investigating."
            ),
            "",
        ]
        lines += [
            f"{master.item.identifier} / {master.original_name} ({master.file.name})"
            for master in masters
        ]
    try:
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, to)
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            send_fixity_alarm,
            attempt=attempt,
            error=error,
            file_ids=[master.pk for master in masters],
        )
