"""Reading methodological help: the filters of the lists and the log's completeness."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from methodica.support.models import Consultation, Recommendation, Visit


def parse_id(text: str | None) -> int | None:
    """A primary key from the query string, or None. ``isdigit`` alone accepts
    digits that ``int`` refuses (superscripts), hence the ASCII check."""
    if text and text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    return None


def parse_date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ConsultationFilter:
    """The consultation list's filters, read leniently from the query string."""

    since: datetime.date | None = None
    until: datetime.date | None = None
    municipality: int | None = None
    library: int | None = None
    channel: str = ""
    topic: int | None = None
    pending: bool = False
    methodologist: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ConsultationFilter:
        channel = params.get("channel", "")
        return cls(
            since=parse_date(params.get("since")),
            until=parse_date(params.get("until")),
            municipality=parse_id(params.get("municipality")),
            library=parse_id(params.get("library")),
            channel=channel if channel in Consultation.Channel.values else "",
            topic=parse_id(params.get("topic")),
            pending=params.get("pending") == "1",
            methodologist=parse_id(params.get("methodologist")),
        )

    def apply(self, queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
        filters: dict[str, Any] = {}
        if self.since:
            filters["given_on__gte"] = self.since
        if self.until:
            filters["given_on__lte"] = self.until
        if self.municipality:
            filters["library__municipality_id"] = self.municipality
        if self.library:
            filters["library_id"] = self.library
        if self.channel:
            filters["channel"] = self.channel
        if self.topic:
            filters["topic_id"] = self.topic
        if self.methodologist:
            filters["owner_id"] = self.methodologist
        if self.pending:
            filters["follow_up"] = True
            filters["follow_up_done_on__isnull"] = True
        return queryset.filter(**filters)


def completeness(queryset: QuerySet[Consultation]) -> dict[str, int]:
    """How many consultations are fully categorised: a topic and the time spent.

    Reference statistics are only as good as their categorisation; the figure is
    shown so that gaps are filled while they are remembered.
    """
    figures = queryset.aggregate(
        total=Count("id"),
        complete=Count("id", filter=Q(topic__isnull=False, minutes__gt=0)),
    )
    return {"total": figures["total"], "complete": figures["complete"]}


@dataclass(frozen=True)
class RecommendationFilter:
    overdue: bool = False
    municipality: int | None = None
    library: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> RecommendationFilter:
        return cls(
            overdue=params.get("overdue") == "1",
            municipality=parse_id(params.get("municipality")),
            library=parse_id(params.get("library")),
        )

    def apply(self, queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
        if self.overdue:
            queryset = queryset.filter(due_on__lt=timezone.localdate())
        if self.municipality:
            queryset = queryset.filter(library__municipality_id=self.municipality)
        if self.library:
            queryset = queryset.filter(library_id=self.library)
        return queryset


@dataclass(frozen=True)
class VisitFilter:
    status: str = ""
    municipality: int | None = None
    library: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> VisitFilter:
        status = params.get("status", "")
        return cls(
            status=status if status in Visit.Status.values else "",
            municipality=parse_id(params.get("municipality")),
            library=parse_id(params.get("library")),
        )

    def apply(self, queryset: QuerySet[Visit]) -> QuerySet[Visit]:
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.municipality:
            queryset = queryset.filter(library__municipality_id=self.municipality)
        if self.library:
            queryset = queryset.filter(library_id=self.library)
        return queryset


def overdue_count(queryset: QuerySet[Recommendation]) -> int:
    return queryset.still_open().filter(due_on__lt=timezone.localdate()).count()
