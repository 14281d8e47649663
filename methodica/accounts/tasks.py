"""Emails are sent by the worker, so a slow or absent mail server never blocks a page."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from methodica.accounts.models import Invitation
from methodica.core.tasks import retry_later


@task()
def send_invitation_email(
    invitation_id: int, url: str, language: str, inviter: str, attempt: int = 1
) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return  # withdrawn or already used meanwhile: nothing to send
    with translation.override(language):
        context = {
            "invitation": invitation,
            "scope": invitation.scope_object,
            "url": url,
            "inviter": inviter,
            "site_name": settings.SITE_NAME,
            "days": (invitation.expires_at - invitation.created_at).days,
        }
        body = render_to_string("accounts/email/invitation.txt", context)
        subject = _("Invitation to %(site)s") % {"site": settings.SITE_NAME}
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except (smtplib.SMTPException, OSError) as error:
        retry_later(
            send_invitation_email,
            attempt=attempt,
            error=error,
            invitation_id=invitation_id,
            url=url,
            language=language,
            inviter=inviter,
        )
