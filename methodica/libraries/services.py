"""Every write to the register. Views, the API, imports and commands call these."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodica.core.audit import audit, created, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, require_perm
from methodica.libraries.boundaries import BoundaryFileError, read_boundaries
from methodica.libraries.boundaries import summary as boundary_summary
from methodica.libraries.models import (
    WEEKDAYS,
    District,
    Library,
    LibraryStatusChange,
    Municipality,
    StaffMember,
    parse_hours,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BoundariesRefused(DomainError):
    """A boundaries file with problems; ``problems`` lists each one, translated."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            ngettext(
                "The boundaries were not loaded: %(count)s problem in the file.",
                "The boundaries were not loaded: %(count)s problems in the file.",
                len(problems),
            )
            % {"count": len(problems)}
        )
        self.problems = problems


# What identifies a library; only those with ``change_identity`` may edit it.
IDENTITY_FIELDS = (
    "name",
    "library_type",
    "municipality",
    "settlement",
    "parent",
    "chitalishte_number",
    "register_number",
    "founded_year",
)
# What a library's own reporter may keep up to date.
CONTACT_FIELDS = (
    "address",
    "postcode",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "opening_hours",
    "notes",
)
LIBRARY_FIELDS = IDENTITY_FIELDS + CONTACT_FIELDS
STAFF_FIELDS = (
    "full_name",
    "position",
    "fte",
    "has_library_qualification",
    "education",
    "email",
    "phone",
    "started_on",
    "left_on",
)


def clean_opening_hours(value: Any) -> dict[str, str]:
    """Normalise a weekly schedule, refusing entries that are not time ranges."""
    if not isinstance(value, dict):
        raise ValidationError(
            {"opening_hours": _("Opening hours must be given per weekday.")}
        )
    hours = {}
    for day, text in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(
                {"opening_hours": _("Unknown weekday %(day)s.") % {"day": day}}
            )
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise ValidationError(
                {"opening_hours": _("Opening hours must be text such as 09:00-12:30.")}
            )
        text = text.strip()
        try:
            parse_hours(text)
        except ValueError as exc:
            raise ValidationError(
                {
                    "opening_hours": _(
                        '"%(value)s" is not a time range such as 09:00-12:30.'
                    )
                    % {"value": exc.args[0]}
                }
            ) from None
        if text:
            hours[day] = text
    return hours


def refuse_control_characters(obj: Any, fields: Any) -> None:
    """Text with control characters breaks exports (XLSX, MARCXML) and is never
    meant: refuse it, naming the field."""
    for name in fields:
        value = getattr(obj, name, None)
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError(
                {name: _("The text contains invisible control characters.")}
            )


def _check_place(library: Library, actor: Any, *, new_parent: bool) -> None:
    """The settlement lies in the municipality; a newly chosen parent is a library
    the actor sees, in the same district, with no loop of parents."""
    if (
        library.settlement_id
        and library.settlement.municipality_id != library.municipality_id
    ):
        raise ValidationError(
            {"settlement": _("The settlement is not in the chosen municipality.")}
        )
    if not library.parent_id or not new_parent:
        return
    if library.parent_id == library.pk:
        raise ValidationError({"parent": _("A library cannot be its own parent.")})
    parent = Library.objects.select_related("municipality").get(pk=library.parent_id)
    district_id = Municipality.objects.get(pk=library.municipality_id).district_id
    if not has_perm(actor, "libraries.library:view", parent) or (
        parent.municipality.district_id != district_id
    ):
        raise ValidationError(
            {"parent": _("The parent library must be in the same district.")}
        )
    seen = {library.pk}
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError(
                {"parent": _("A library cannot be a branch of its own branch.")}
            )
        seen.add(parent.pk)
        parent = parent.parent


def _apply(library: Library, data: dict[str, Any], actor: Any) -> None:
    parent_before = library.parent_id
    for name, value in data.items():
        if name == "opening_hours":
            value = clean_opening_hours(value)
        setattr(library, name, value)
    refuse_control_characters(library, data.keys())
    _check_place(library, actor, new_parent=library.parent_id != parent_before)
    library.full_clean(validate_unique=True)


@transaction.atomic
def create_library(
    *, actor: Any, municipality: Municipality, data: dict[str, Any]
) -> Library:
    """Add a library to the register in ``municipality``, active from today."""
    require_perm(actor, "libraries.library:create", municipality)
    unknown = set(data) - set(LIBRARY_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    library = Library(municipality=municipality, status=Library.Status.ACTIVE)
    _apply(library, {k: v for k, v in data.items() if k != "municipality"}, actor)
    library.status_since = timezone.localdate()
    library.save()
    LibraryStatusChange.objects.create(
        library=library,
        status=library.status,
        effective_date=library.status_since,
        reason=_("Added to the register"),
        recorded_by=actor if actor and actor.pk else None,
    )
    audit(
        actor=actor,
        action="library.created",
        obj=library,
        changes=created(library, (*LIBRARY_FIELDS, "status")),
    )
    return library


@transaction.atomic
def update_library(*, library: Library, actor: Any, data: dict[str, Any]) -> Library:
    """Change a library's fields; identity fields need ``change_identity``."""
    require_perm(actor, "libraries.library:change", library)
    unknown = set(data) - set(LIBRARY_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    locked = (
        Library.objects.select_for_update()
        .select_related("municipality")
        .get(pk=library.pk)
    )
    before = snapshot(locked, data.keys())
    _apply(locked, data, actor)
    changes = diff(before, snapshot(locked, data.keys()))
    if not changes:
        return locked
    if set(changes) & set(IDENTITY_FIELDS):
        require_perm(actor, "libraries.library:change_identity", library)
    if "municipality" in changes:
        # Moving a library needs the right where it goes as well as where it was.
        require_perm(actor, "libraries.library:change_identity", locked.municipality)
    locked.save(update_fields=[*data.keys(), "updated_at"])
    audit(actor=actor, action="library.changed", obj=locked, changes=changes)
    return locked


@transaction.atomic
def change_library_status(
    *,
    library: Library,
    actor: Any,
    status: str,
    effective_date: datetime.date,
    reason: str = "",
) -> Library:
    """Suspend, close or reopen a library, keeping the history of its statuses."""
    require_perm(actor, "libraries.library:change_status", library)
    if status not in Library.Status.values:
        raise DomainError(_("Unknown status."), field="status")
    locked = (
        Library.objects.select_for_update()
        .select_related("municipality")
        .get(pk=library.pk)
    )
    if status == locked.status:
        raise DomainError(_("The library already has this status."), field="status")
    if locked.status_since and effective_date < locked.status_since:
        raise DomainError(
            _("The date cannot be earlier than the current status (%(date)s).")
            % {"date": locked.status_since.isoformat()},
            field="effective_date",
        )
    before = snapshot(locked, ["status", "status_since"])
    locked.status, locked.status_since = status, effective_date
    locked.save(update_fields=["status", "status_since", "updated_at"])
    LibraryStatusChange.objects.create(
        library=locked,
        status=status,
        effective_date=effective_date,
        reason=reason,
        recorded_by=actor if actor and actor.pk else None,
    )
    changes = diff(before, snapshot(locked, ["status", "status_since"]))
    if reason:
        changes["reason"] = {"before": None, "after": reason}
    audit(actor=actor, action="library.status_changed", obj=locked, changes=changes)
    return locked


def _clean_staff(member: StaffMember) -> None:
    refuse_control_characters(member, STAFF_FIELDS)
    if member.left_on and member.started_on and member.left_on < member.started_on:
        raise ValidationError(
            {"left_on": _("The leaving date is before the starting date.")}
        )
    member.full_clean(exclude=["library"])


@transaction.atomic
def add_staff_member(
    *, library: Library, actor: Any, data: dict[str, Any]
) -> StaffMember:
    """Record a person working at ``library``."""
    require_perm(actor, "libraries.staff:change", library)
    member = StaffMember(
        library=library, **{k: v for k, v in data.items() if k in STAFF_FIELDS}
    )
    _clean_staff(member)
    member.save()
    audit(
        actor=actor,
        action="staff.created",
        obj=member,
        changes=created(member, STAFF_FIELDS),
    )
    return member


@transaction.atomic
def update_staff_member(
    *, member: StaffMember, actor: Any, data: dict[str, Any]
) -> StaffMember:
    """Change a staff record."""
    require_perm(actor, "libraries.staff:change", member)
    locked = (
        StaffMember.objects.select_for_update()
        .select_related("library__municipality")
        .get(pk=member.pk)
    )
    fields = [k for k in data if k in STAFF_FIELDS]
    before = snapshot(locked, fields)
    for name in fields:
        setattr(locked, name, data[name])
    _clean_staff(locked)
    changes = diff(before, snapshot(locked, fields))
    if changes:
        locked.save(update_fields=fields)
        audit(actor=actor, action="staff.changed", obj=locked, changes=changes)
    return locked


@transaction.atomic
def remove_staff_member(*, member: StaffMember, actor: Any) -> None:
    """Delete a staff record (a mistake); someone who left gets a leaving date instead."""
    require_perm(actor, "libraries.staff:change", member)
    library_id = member.library_id
    changes = {
        k: {"before": v, "after": None}
        for k, v in snapshot(member, STAFF_FIELDS).items()
    }
    audit(
        actor=actor,
        action="staff.deleted",
        obj=member,
        changes=changes,
        library_id=library_id,
    )
    member.delete()


@transaction.atomic
def load_boundaries(*, actor: Any, district: District, data: bytes) -> int:
    """Set the boundaries of ``district``'s municipalities from a GeoJSON
    FeatureCollection matched by municipality code: all of them, or, on any problem
    (an unknown code, a bad geometry), none. Returns how many changed."""
    require_perm(actor, "libraries.library:import", district)
    municipalities = {
        m.code: m
        for m in Municipality.objects.select_for_update().filter(district=district)
    }
    try:
        found = read_boundaries(data, set(municipalities))
    except BoundaryFileError as exc:
        raise BoundariesRefused(exc.problems) from None
    changed = 0
    for boundary in found:
        municipality = municipalities[boundary.code]
        if municipality.boundary == boundary.geometry:
            continue
        before = boundary_summary(municipality.boundary)
        municipality.boundary = boundary.geometry
        municipality.save(update_fields=["boundary"])
        audit(
            actor=actor,
            action="municipality.boundary_changed",
            obj=municipality,
            changes={
                "boundary": {
                    "before": before,
                    "after": boundary_summary(boundary.geometry),
                }
            },
        )
        changed += 1
    return changed
