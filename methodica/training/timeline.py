"""Training's contribution to a library's timeline: the sessions its staff attended."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from methodica.core.permissions import has_perm
from methodica.core.timeline import TimelineEvent
from methodica.training.models import Enrolment, Session


def trainings_attended(library: Any, user: Any) -> list[TimelineEvent]:
    if not has_perm(user, "training.record:view", library):
        return []
    attended = (
        Enrolment.objects.filter(
            staff__library=library,
            attended=True,
            session__status=Session.Status.SCHEDULED,
        )
        .select_related("session__course", "staff")
        .order_by("-session__starts_at")[:50]
    )
    return [
        TimelineEvent(
            at=enrolment.session.starts_at,
            kind="training",
            title=_("Training attended: %(course)s")
            % {"course": enrolment.session.course.title},
            detail=enrolment.staff.full_name,
            url=reverse("training:session", args=[enrolment.session_id]),
        )
        for enrolment in attended
    ]
