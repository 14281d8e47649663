"""The register's contributions to a library's timeline."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodica.core.models import AuditEntry
from methodica.core.permissions import has_perm
from methodica.core.timeline import TimelineEvent, register_source
from methodica.libraries.models import Library

ACTION_TITLES = {
    "library.created": gettext_lazy("Added to the register"),
    "library.changed": gettext_lazy("Details changed"),
    "library.status_changed": gettext_lazy("Status changed"),
    "staff.created": gettext_lazy("Staff member added"),
    "staff.changed": gettext_lazy("Staff record changed"),
    "staff.deleted": gettext_lazy("Staff record removed"),
}


@register_source
def status_history(library: Library, user: Any) -> list[TimelineEvent]:
    events = []
    for change in library.status_changes.all()[:50]:
        at = timezone.make_aware(
            datetime.datetime.combine(change.effective_date, datetime.time(12))
        )
        events.append(
            TimelineEvent(
                at=at,
                kind="status",
                title=_("Status: %(status)s") % {"status": change.get_status_display()},
                detail=change.reason,
            )
        )
    return events


@register_source
def changes(library: Library, user: Any) -> list[TimelineEvent]:
    if not has_perm(user, "core.audit:view", library):
        return []
    events = []
    for entry in AuditEntry.objects.filter(library_id=library.pk)[:50]:
        if entry.action == "library.status_changed":
            continue  # shown by status_history with its effective date
        title = str(ACTION_TITLES.get(entry.action, entry.action))
        fields = (
            ", ".join(sorted(entry.changes)) if entry.action.endswith("changed") else ""
        )
        events.append(
            TimelineEvent(
                at=entry.at,
                kind="change",
                title=title,
                detail=fields,
                actor=entry.actor_repr,
            )
        )
    return events
