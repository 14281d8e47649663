"""The permission engine: one entry point for every access decision.

Permission names are strings owned by their app (``libraries.library:change``).
A role is a set of permission names. A user holds roles through memberships,
each in a scope: the whole district, one municipality, or one library. A
membership grants its role's permissions on the objects inside its scope.

Objects that can be checked expose ``scope_ids()`` returning a :class:`Scope`.
Lists go through ``Model.objects.visible_to(user)``, which builds its filter
with :func:`scope_q`; single objects through :func:`get_object_for_user`.
``docs/permissions.md`` is the matrix; a test walks it against ``ROLE_PERMISSIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    METHODOLOGIST = "methodologist", _("Methodologist")
    REPORTER = "reporter", _("Library reporter")
    CATALOGUER = "cataloguer", _("Cataloguer / digitiser")


# Every permission the system knows, with what it allows.
PERMISSIONS: dict[str, str] = {
    "libraries.library:view": "See a library in the register: its page, timeline and exports.",
    "libraries.library:change": "Edit a library's contacts, address and opening hours.",
    "libraries.library:change_identity": (
        "Edit what identifies a library: name, type, place, parent, register numbers."
    ),
    "libraries.library:create": "Add a library to the register.",
    "libraries.library:change_status": "Suspend, close or reopen a library.",
    "libraries.library:export": "Export the register to XLSX or CSV.",
    "libraries.library:import": "Import the register from a spreadsheet.",
    "libraries.staff:view": "See a library's staff (personal data).",
    "libraries.staff:change": "Add, edit and remove a library's staff.",
    "accounts.user:invite": "Invite a user and give them a role.",
    "accounts.membership:manage": "Grant and revoke roles.",
    "core.audit:view": "Read the history of changes.",
    "reporting.report:view": "See a library's annual reports and their history.",
    "reporting.report:edit": "Fill in and save a report that is not yet submitted.",
    "reporting.report:submit": "Submit a report, justifying its warnings.",
    "reporting.report:review": "Comment on, return and accept submitted reports.",
    "reporting.report:reopen": "Reopen an accepted report, with a reason.",
    "reporting.campaign:manage": "Open reporting campaigns, set deadlines, allow late reports.",
    "reporting.form:design": "Design report forms, indicators and rules.",
    "reporting.consolidation:view": "See consolidated totals of many libraries.",
    "support.consultation:view": "See the consultations given to a library.",
    "support.consultation:log": "Log consultations and edit them.",
    "support.request:ask": "Ask the methodologists a question from inside Methodica.",
    "support.request:answer": "Answer and take over questions asked by libraries.",
    "support.visit:view": "See a library's visits, findings and recommendations.",
    "support.visit:manage": "Plan and record visits, follow up recommendations.",
    "support.taxonomy:manage": "Edit the consultation topics and the visit checklist.",
    "training.session:view": "See the training programmes and sessions on offer.",
    "training.session:manage": "Run training: programmes, sessions, invitations, attendance.",
    "training.enrolment:request": "Enrol a library's staff in a session.",
    "training.record:view": "See librarians' enrolments and training records.",
    "training.survey:design": "Edit the feedback questionnaires.",
    "training.survey:results": "See feedback survey results.",
    "training.certificate:issue": "Issue and revoke certificates.",
    "activity.reach:view": "See the reach of help and training, and the year's report.",
    "heritage.item:view_restricted": (
        "See local-history items that are staff only, embargoed or unpublished."
    ),
    "heritage.item:catalogue": "Describe local-history items and upload their files.",
    "heritage.collection:manage": "Create and edit local-history collections.",
    "heritage.preservation:view": (
        "See the preservation event log, fixity reports and storage usage."
    ),
}

_ALL = frozenset(PERMISSIONS)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "district_admin": _ALL,
    "methodologist": frozenset(
        {
            "libraries.library:view",
            "libraries.library:change",
            "libraries.library:change_identity",
            "libraries.library:change_status",
            "libraries.library:export",
            "libraries.staff:view",
            "libraries.staff:change",
            "core.audit:view",
            "reporting.report:view",
            "reporting.report:edit",
            "reporting.report:submit",
            "reporting.report:review",
            "reporting.consolidation:view",
            "support.consultation:view",
            "support.consultation:log",
            "support.request:ask",
            "support.request:answer",
            "support.visit:view",
            "support.visit:manage",
            "training.session:view",
            "training.session:manage",
            "training.enrolment:request",
            "training.record:view",
            "training.survey:design",
            "training.survey:results",
            "training.certificate:issue",
            "activity.reach:view",
            "heritage.item:view_restricted",
        }
    ),
    "reporter": frozenset(
        {
            "libraries.library:view",
            "libraries.library:change",
            "libraries.staff:view",
            "libraries.staff:change",
            "reporting.report:view",
            "reporting.report:edit",
            "reporting.report:submit",
            "support.consultation:view",
            "support.request:ask",
            "support.visit:view",
            "training.session:view",
            "training.enrolment:request",
            "training.record:view",
        }
    ),
    "cataloguer": frozenset(
        {
            "libraries.library:view",
            "libraries.library:export",
            "heritage.item:view_restricted",
            "heritage.item:catalogue",
            "heritage.collection:manage",
            "heritage.preservation:view",
        }
    ),
}


@dataclass(frozen=True)
class Scope:
    """Where an object sits in the district; a membership covers some of it."""

    district_id: int | None
    municipality_id: int | None = None
    library_id: int | None = None


class Scoped(Protocol):
    def scope_ids(self) -> Scope: ...


def memberships_of(user: Any) -> list[Any]:
    """The user's memberships, fetched once per user object (one query)."""
    cached = getattr(user, "_methodica_memberships", None)
    if cached is None:
        cached = list(user.memberships.all())
        user._methodica_memberships = cached
    return cached


def _covers(membership: Any, scope: Scope) -> bool:
    if membership.district_id is not None:
        return membership.district_id == scope.district_id
    if membership.municipality_id is not None:
        return membership.municipality_id == scope.municipality_id
    return (
        membership.library_id is not None and membership.library_id == scope.library_id
    )


def _check_known(perm: str) -> None:
    if perm not in PERMISSIONS:
        raise ValueError(f"Unknown permission {perm!r}")


def has_perm(user: Any, perm: str, obj: Scoped | None = None) -> bool:
    """May ``user`` do ``perm`` on ``obj`` (or somewhere, when ``obj`` is None)?"""
    _check_known(perm)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = obj.scope_ids() if obj is not None else None
    for membership in memberships_of(user):
        if perm in ROLE_PERMISSIONS[membership.role] and (
            scope is None or _covers(membership, scope)
        ):
            return True
    return False


def scope_q(
    user: Any,
    perm: str,
    *,
    district: str = "municipality__district_id",
    municipality: str = "municipality_id",
    library: str = "id",
) -> Q:
    """A filter for the rows on which ``user`` holds ``perm``.

    The keyword arguments name the lookups that lead from the queried model to
    its district, municipality and library.
    """
    _check_known(perm)
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    districts, municipalities, libraries = set(), set(), set()
    for membership in memberships_of(user):
        if perm not in ROLE_PERMISSIONS[membership.role]:
            continue
        if membership.district_id is not None:
            districts.add(membership.district_id)
        elif membership.municipality_id is not None:
            municipalities.add(membership.municipality_id)
        elif membership.library_id is not None:
            libraries.add(membership.library_id)
    q = Q(pk__in=[])
    if districts:
        q |= Q(**{f"{district}__in": sorted(districts)})
    if municipalities:
        q |= Q(**{f"{municipality}__in": sorted(municipalities)})
    if libraries:
        q |= Q(**{f"{library}__in": sorted(libraries)})
    return q


def get_object_for_user(user: Any, queryset: Any, perm: str, **lookup: Any) -> Any:
    """Fetch one object the user may ``perm``; anything else is a 404.

    A 404 rather than a 403 so that the answer does not tell an outsider which
    objects exist.
    """
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if not has_perm(user, perm, obj):  # type: ignore[arg-type]
        raise Http404
    return obj


def require_perm(user: Any, perm: str, obj: Scoped | None = None) -> None:
    """Raise PermissionDenied unless ``user`` holds ``perm`` (on ``obj``)."""
    from django.core.exceptions import PermissionDenied

    if not has_perm(user, perm, obj):
        raise PermissionDenied
