"""Periodic jobs, run by the worker itself: no cron, no broker.

An app registers a job in its ``AppConfig.ready``::

    register_periodic("training.reminders", every=timedelta(hours=1),
                      enqueue=lambda: send_session_reminders.enqueue())

Each worker calls :func:`enqueue_due` about once a minute. A job is due when its
``PeriodicRun`` row is older than its interval; the row is claimed with one
conditional UPDATE, so with several workers exactly one enqueues it. The job itself
is an ordinary task: durable, retried as it retries itself, visible in the queue.
The ``methodica manage`` commands that do the same work stay for operators who
prefer cron.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: datetime.timedelta
    enqueue: Callable[[], object]


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(
    name: str, *, every: datetime.timedelta, enqueue: Callable[[], object]
) -> None:
    _JOBS[name] = PeriodicJob(name=name, every=every, enqueue=enqueue)


def jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def _claim(job: PeriodicJob, now: datetime.datetime) -> bool:
    """True if this caller won the right to enqueue ``job`` now."""
    from methodica.core.models import PeriodicRun

    claimed = PeriodicRun.objects.filter(
        name=job.name, last_enqueued_at__lte=now - job.every
    ).update(last_enqueued_at=now)
    if claimed:
        return True
    try:
        with transaction.atomic():
            # The first run ever: the job is due at once.
            PeriodicRun.objects.create(name=job.name, last_enqueued_at=now)
    except IntegrityError:
        return False
    return True


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job that is due; the names of those enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        try:
            if _claim(job, now):
                job.enqueue()
                enqueued.append(job.name)
        except Exception:
            # One broken job must not stop the others or the worker; it is logged
            # with its traceback and tried again at its next interval.
            logger.exception("Could not enqueue the periodic job %s", job.name)
    return enqueued
