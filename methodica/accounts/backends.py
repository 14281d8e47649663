from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from methodica.accounts.throttle import client_ip, is_locked_out


class ThrottledModelBackend(ModelBackend):
    """Username/password sign-in that refuses to check while locked out.

    Refusing before the password is checked means a locked-out attacker learns
    nothing, even when they guess right. This covers every sign-in path: the
    form, the API token endpoint and the admin.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("email") or kwargs.get(self._username_field())
        if username and is_locked_out(username, client_ip(request)):
            raise PermissionDenied
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
