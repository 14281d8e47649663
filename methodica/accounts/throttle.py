"""Failed-login throttling: too many failures for a name or an address lock it out."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from methodica.accounts.models import FailedLogin


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For counts only as far as the configured
    number of our own proxies: before them, anyone can write anything in it."""
    if request is None:
        return None
    if settings.NUM_PROXIES:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(
        seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS
    )


def is_locked_out(username: str, ip: str | None) -> bool:
    """Has this username, or this address, failed too often within the window?"""
    recent = FailedLogin.objects.filter(at__gte=_window_start())
    by_name = recent.filter(username=username.strip().lower()).count()
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    limit = settings.LOGIN_FAILURE_LIMIT
    # An address may try a few names (a shared library computer), hence the factor.
    return by_name >= limit or by_ip >= limit * 4


def record_failure(username: str, ip: str | None) -> None:
    FailedLogin.objects.filter(at__lt=_window_start()).delete()
    FailedLogin.objects.create(username=username.strip().lower()[:150], ip_address=ip)


def clear_failures(username: str) -> None:
    FailedLogin.objects.filter(Q(username=username.strip().lower())).delete()
