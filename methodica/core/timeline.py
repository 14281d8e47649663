"""A library's timeline, which every module adds to.

A module registers a *source*: a function ``(library, user) -> list[TimelineEvent]``
that returns the events the user may see. The libraries app registers status
changes and the audit trail; later modules register consultations, visits,
reports and trainings in their ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime.datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""


TimelineSource = Callable[[Any, Any], list[TimelineEvent]]
_SOURCES: list[TimelineSource] = []


def register_source(source: TimelineSource) -> TimelineSource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def events_for(library: Any, user: Any, *, limit: int = 100) -> list[TimelineEvent]:
    """The newest events about ``library`` that ``user`` may see, newest first."""
    events: list[TimelineEvent] = []
    for source in _SOURCES:
        events.extend(source(library, user))
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit]
