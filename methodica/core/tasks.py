"""Background work with retries.

django.tasks records a failed task but does not run it again. Work that talks
to the outside world (an SMTP server) is retried here instead: the task
re-enqueues itself with a growing delay until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def retry_later(task: Any, *, attempt: int, error: Exception, **kwargs: Any) -> None:
    """Enqueue ``task`` again after a back-off, or give up loudly after the last try."""
    if attempt >= MAX_ATTEMPTS:
        logger.error("%s failed %s times, giving up: %s", task.name, attempt, error)
        raise error
    delay = datetime.timedelta(minutes=2**attempt)
    logger.warning("%s failed (%s); retrying in %s", task.name, error, delay)
    task.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1, **kwargs)
