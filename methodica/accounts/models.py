from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import Role


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    email = models.EmailField(_("email address"), unique=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


_ONE_SCOPE = (
    Q(district__isnull=False, municipality__isnull=True, library__isnull=True)
    | Q(district__isnull=True, municipality__isnull=False, library__isnull=True)
    | Q(district__isnull=True, municipality__isnull=True, library__isnull=False)
)


class ScopeFields(models.Model):
    """Exactly one of district, municipality or library: where a role applies."""

    district = models.ForeignKey(
        "libraries.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "libraries.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    library = models.ForeignKey(
        "libraries.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def scope_object(self) -> models.Model:
        return self.district or self.municipality or self.library  # type: ignore[return-value]

    def scope_ids(self) -> Any:
        return self.scope_object.scope_ids()  # type: ignore[attr-defined]


class Membership(ScopeFields):
    """A user holds a role in a scope: the district, a municipality or a library."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=_ONE_SCOPE, name="membership_one_scope"),
            models.UniqueConstraint(
                fields=["user", "role", "district", "municipality", "library"],
                nulls_distinct=False,
                name="membership_unique_role_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} ({self.scope_object})"


class Invitation(ScopeFields):
    """An emailed invitation to join with a role; accepting it creates the user."""

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token = models.CharField(_("token"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SCOPE, name="invitation_one_scope")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class FailedLogin(models.Model):
    """A failed sign-in, kept for a while to throttle guessing."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(
        _("address"), null=True, blank=True, db_index=True
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.username} {self.ip_address} {self.at:%Y-%m-%d %H:%M}"
