"""Background work of the local-history collection: the fixity audit and its alarm."""

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
from methodica.heritage.models import MasterFile


@task()
def audit_fixity() -> None:
    """The scheduled fixity audit of every master (see docs/operations.md)."""
    from methodica.heritage.fixity import run_audit

    run_audit()


def alarm_recipients(district_ids: set[int]) -> list[str]:
    emails = Membership.objects.filter(
        district_id__in=district_ids, role=Role.DISTRICT_ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted({email for email in emails if email})


@task()
def send_fixity_alarm(file_ids: list[int], attempt: int = 1) -> None:
    """Tell the district administrators which masters failed their fixity check."""
    masters = list(
        MasterFile.objects.filter(pk__in=file_ids)
        .select_related("item")
        .order_by("item__identifier", "order")
    )
    to = alarm_recipients({master.item.district_id for master in masters})
    if not masters or not to:
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
        retry_later(send_fixity_alarm, attempt=attempt, error=error, file_ids=file_ids)
