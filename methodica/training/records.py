"""Each librarian's training record: continuing-education hours by year and the
courses taken. Hours are the academic hours of the sessions attended."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from methodica.core.permissions import scope_q
from methodica.libraries.models import StaffMember
from methodica.training.models import Certificate, Enrolment, Session


def record_staff(user: Any) -> QuerySet[StaffMember]:
    """The staff whose training record ``user`` may read."""
    return StaffMember.objects.visible_to(user).filter(
        scope_q(
            user,
            "training.record:view",
            district="library__municipality__district_id",
            municipality="library__municipality_id",
            library="library_id",
        )
    )


def attended(staff: StaffMember) -> QuerySet[Enrolment]:
    return (
        staff.enrolments.filter(
            attended=True,
            status=Enrolment.Status.ENROLLED,
            session__status=Session.Status.SCHEDULED,
        )
        .select_related("session__course__programme")
        .order_by("-session__starts_at")
    )


def hours_by_year(staff: StaffMember) -> list[tuple[int, Decimal]]:
    """``[(year, hours)]``, newest year first (local time decides the year)."""
    rows = (
        attended(staff)
        .annotate(year=ExtractYear("session__starts_at"))
        .order_by()
        .values("year")
        .annotate(hours=Sum("session__hours"))
        .order_by("-year")
    )
    return [(row["year"], row["hours"]) for row in rows]


def certificates(staff: StaffMember) -> QuerySet[Certificate]:
    return Certificate.objects.filter(enrolment__staff=staff).order_by("-issued_at")


def with_hours_in(staff: QuerySet[StaffMember], year: int) -> QuerySet[StaffMember]:
    """``staff`` annotated with ``hours``: the hours attended in ``year``."""
    return staff.annotate(
        hours=Coalesce(
            Sum(
                "enrolments__session__hours",
                filter=Q(
                    enrolments__attended=True,
                    enrolments__status=Enrolment.Status.ENROLLED,
                    enrolments__session__status=Session.Status.SCHEDULED,
                    enrolments__session__starts_at__year=year,
                ),
            ),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=7, decimal_places=1),
        )
    )
