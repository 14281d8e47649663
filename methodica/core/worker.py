"""The background worker: django-tasks' database worker plus a heartbeat.

The heartbeat row lets /healthz say whether a worker is alive without asking
it: a thread refreshes it every few seconds while the worker runs. The same
thread enqueues the periodic jobs that are due (``core/schedule.py``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from methodica.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10
# How often a worker looks for periodic jobs that are due (core/schedule.py).
SCHEDULE_SECONDS = 60


def beat(worker_id: str, started_at: object) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def _heartbeat_loop(worker_id: str, stop: threading.Event) -> None:
    from methodica.core.schedule import enqueue_due

    started_at = timezone.now()
    next_schedule = 0.0
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                beat(worker_id, started_at)
            except Exception:
                logger.exception("Worker heartbeat failed")
            if time.monotonic() >= next_schedule:
                next_schedule = time.monotonic() + SCHEDULE_SECONDS
                try:
                    enqueue_due()
                except Exception:
                    logger.exception("Looking for periodic jobs failed")
            stop.wait(HEARTBEAT_SECONDS)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    finally:
        connection.close()


def run_worker() -> int:
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"[:100]
    stop = threading.Event()
    thread = threading.Thread(
        target=_heartbeat_loop, args=(worker_id, stop), daemon=True
    )
    thread.start()
    try:
        call_command(
            "db_worker",
            "--queue-name",
            "*",
            "--worker-id",
            worker_id[:64],
            "--no-reload",
        )
    finally:
        stop.set()
        thread.join(timeout=5)
    return 0
