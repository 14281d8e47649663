"""Who a session's invitation reaches: a target group chosen from the register.

The criteria combine (all must hold). Only current staff (no leaving date, or one
still to come) of active libraries of the session's district are ever chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from methodica.libraries.models import Library, StaffMember
from methodica.training.models import Enrolment, Session


@dataclass(frozen=True)
class Criteria:
    municipality_ids: tuple[int, ...] = ()
    library_types: tuple[str, ...] = ()
    without_qualification: bool = False
    # Those who have not yet attended this course.
    not_attended_course_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A plain form, for the audit trail."""
        return {
            "municipalities": sorted(self.municipality_ids),
            "library_types": sorted(self.library_types),
            "without_qualification": self.without_qualification,
            "not_attended_course": self.not_attended_course_id,
        }


def target_group(
    staff: QuerySet[StaffMember], *, district_id: int, criteria: Criteria
) -> QuerySet[StaffMember]:
    """The staff of ``staff`` (already limited to what the user may see) who meet
    every criterion, ordered by name."""
    today = timezone.localdate()
    group = staff.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today),
        library__municipality__district_id=district_id,
        library__status=Library.Status.ACTIVE,
    )
    if criteria.municipality_ids:
        group = group.filter(library__municipality_id__in=criteria.municipality_ids)
    if criteria.library_types:
        group = group.filter(library__library_type__in=criteria.library_types)
    if criteria.without_qualification:
        group = group.filter(has_library_qualification=False)
    if criteria.not_attended_course_id is not None:
        group = group.exclude(
            pk__in=Enrolment.objects.filter(
                session__course_id=criteria.not_attended_course_id,
                session__status=Session.Status.SCHEDULED,
                attended=True,
            ).values("staff_id")
        )
    return group.select_related("library__municipality").order_by("full_name", "id")
