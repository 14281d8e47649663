"""What /healthz reports: can we reach the database, and is a worker alive?"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from methodica.core.models import WorkerHeartbeat


def database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok"}


def worker_status() -> dict[str, Any]:
    stale_before = timezone.now() - datetime.timedelta(
        seconds=settings.WORKER_STALE_SECONDS
    )
    try:
        alive = WorkerHeartbeat.objects.filter(last_seen__gte=stale_before).count()
        last = (
            WorkerHeartbeat.objects.order_by("-last_seen")
            .values_list("last_seen", flat=True)
            .first()
        )
    except DatabaseError:
        return {"status": "unknown"}
    return {
        "status": "ok" if alive else "down",
        "workers": alive,
        "last_seen": last.isoformat() if last else None,
    }
