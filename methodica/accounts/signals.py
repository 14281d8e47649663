from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from methodica.accounts.throttle import clear_failures, client_ip, record_failure


@receiver(user_login_failed)
def _remember_failure(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    username = credentials.get("username") or ""
    if username:
        record_failure(username, client_ip(request))


@receiver(user_logged_in)
def _forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    clear_failures(user.get_username())
