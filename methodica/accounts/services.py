"""Writes to accounts: invitations, their acceptance, API tokens."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from methodica.accounts.models import Invitation, Membership, User
from methodica.accounts.tasks import send_invitation_email
from methodica.core.audit import audit, created
from methodica.core.errors import DomainError
from methodica.core.permissions import Role, require_perm

INVITATION_DAYS = 14


@transaction.atomic
def invite_user(
    *, actor: Any, email: str, role: str, scope: Any, accept_url_builder: Any
) -> Invitation:
    """Invite ``email`` to take ``role`` in ``scope`` (a district, municipality or library).

    ``accept_url_builder(token)`` gives the absolute link put in the email.
    """
    if scope is None:
        raise DomainError(_("Choose where the role applies."), field="library")
    require_perm(actor, "accounts.user:invite", scope)
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            _("A user with this email address already exists."), field="email"
        )
    scope_field = scope._meta.model_name
    if role == Role.REPORTER and scope_field != "library":
        raise DomainError(_("A reporter is invited for one library."), field="role")
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
        **{scope_field: scope},
    )
    audit(
        actor=actor,
        action="invitation.sent",
        obj=invitation,
        changes=created(invitation, ["email", "role", scope_field]),
    )
    url = accept_url_builder(invitation.token)
    language = translation.get_language() or settings.LANGUAGE_CODE
    inviter = str(actor)
    transaction.on_commit(
        lambda: send_invitation_email.enqueue(
            invitation_id=invitation.pk, url=url, language=language, inviter=inviter
        )
    )
    return invitation


@transaction.atomic
def accept_invitation(
    *, token: str, username: str, first_name: str, last_name: str, password: str
) -> User:
    """Create the invited user with their role; the invitation is then used up."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        raise DomainError(_("This invitation is no longer valid. Ask for a new one."))
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), field="username")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise DomainError(
            _("An account with this email address already exists. Sign in instead.")
        )
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request took the name or the address a moment ago.
        raise DomainError(_("This username is taken."), field="username") from None
    Membership.objects.create(
        user=user,
        role=invitation.role,
        district=invitation.district,
        municipality=invitation.municipality,
        library=invitation.library,
    )
    invitation.accepted_at, invitation.accepted_user = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        changes={"user": {"before": None, "after": user.username}},
    )
    return user


@transaction.atomic
def grant_membership(*, actor: Any, user: User, role: str, scope: Any) -> Membership:
    """Give ``user`` a role in ``scope``."""
    if scope is None:
        raise DomainError(_("Choose where the role applies."))
    require_perm(actor, "accounts.membership:manage", scope)
    scope_field = scope._meta.model_name
    membership, made = Membership.objects.get_or_create(
        user=user, role=role, **{scope_field: scope}
    )
    if made:
        audit(
            actor=actor,
            action="membership.granted",
            obj=membership,
            changes=created(membership, ["user", "role", scope_field]),
        )
    return membership


@transaction.atomic
def issue_api_token(*, actor: Any) -> Token:
    """Give ``actor`` a new API token, revoking the old one."""
    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    audit(actor=actor, action="api_token.issued", obj=actor)
    return token
