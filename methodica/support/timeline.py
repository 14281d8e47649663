"""Methodological help on a library's timeline: consultations, visits, open
recommendations; each source is one query and shows only what the user may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from methodica.core.permissions import has_perm
from methodica.core.timeline import TimelineEvent, register_source
from methodica.libraries.models import Library
from methodica.support.models import Consultation, Recommendation, Visit

LIMIT = 50


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def consultations(library: Library, user: Any) -> list[TimelineEvent]:
    if not has_perm(user, "support.consultation:view", library):
        return []
    rows = (
        Consultation.objects.filter(library=library)
        .select_related("topic")
        .order_by("-given_on", "-id")[:LIMIT]
    )
    return [
        TimelineEvent(
            at=_noon(c.given_on),
            kind="consultation",
            title=_("Consultation (%(channel)s)")
            % {"channel": c.get_channel_display()},
            detail=c.topic.name if c.topic else "",
            url=reverse("support:question", args=[c.pk])
            if c.origin == Consultation.Origin.REQUEST
            else "",
        )
        for c in rows
    ]


def visits(library: Library, user: Any) -> list[TimelineEvent]:
    if not has_perm(user, "support.visit:view", library):
        return []
    rows = (
        Visit.objects.filter(library=library)
        .exclude(status=Visit.Status.CANCELLED)
        .order_by("-planned_for", "-id")[:LIMIT]
    )
    return [
        TimelineEvent(
            at=_noon(v.visited_on or v.planned_for),
            kind="visit",
            title=_("Methodological visit")
            if v.status == Visit.Status.DONE
            else _("Visit planned"),
            detail=v.purpose,
            url=reverse("support:visit", args=[v.pk]),
        )
        for v in rows
    ]


def open_recommendations(library: Library, user: Any) -> list[TimelineEvent]:
    if not has_perm(user, "support.visit:view", library):
        return []
    rows = (
        Recommendation.objects.filter(library=library)
        .still_open()
        .order_by("-created_at", "-id")[:LIMIT]
    )
    # Placed when it was made (a due date would put it in the future, above
    # everything that has happened); the due date is in the detail.
    return [
        TimelineEvent(
            at=r.created_at,
            kind="recommendation",
            title=_("Open recommendation"),
            detail=_("%(text)s (due %(date)s)")
            % {
                "text": r.text[:200],
                "date": date_format(r.due_on, "SHORT_DATE_FORMAT"),
            },
            url=reverse("support:visit", args=[r.visit_id]),
        )
        for r in rows
    ]


def register() -> None:
    for source in (consultations, visits, open_recommendations):
        register_source(source)
