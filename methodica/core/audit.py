"""Recording changes: every service calls :func:`audit` once per change."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from methodica.core.models import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, readable in the history."""
    if isinstance(value, models.Model):
        # The id decides whether it changed (two villages may share a name);
        # the name is what a reader of the history sees.
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``obj``, for a later :func:`diff`."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            values[name] = _plain(getattr(obj, name))
        else:
            values[name] = _plain(getattr(obj, field.attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose value changed, as ``{field: {"before": ..., "after": ...}}``."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    }


def created(obj: models.Model, fields: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Changes that describe a new object: every field from nothing to its value."""
    return {
        name: {"before": None, "after": value}
        for name, value in snapshot(obj, fields).items()
        if value not in (None, "")
    }


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    library_id: int | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``obj``. Call inside the service's transaction."""
    district_id = None
    if hasattr(obj, "scope_ids"):
        scope = obj.scope_ids()
        district_id = scope.district_id
        if library_id is None:
            library_id = scope.library_id
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_repr=(user.get_username() if user else "system")[:200],
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        library_id=library_id,
        district_id=district_id,
        changes=changes or {},
    )
