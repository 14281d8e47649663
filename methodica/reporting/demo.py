"""Demo reports for the demo district: ten accepted years and an open campaign.

Plausible figures from each library's size (its staff), with slow trends, a
library that closed, and in the open campaign the mix a methodologist meets in
January: reports not started, drafts, submitted reports with justified warnings,
and a few typical errors (children's loans above all loans, a stock that grew
with no acquisitions) left to be found. Written directly, like the register's
demo data; repeatable: a year that already has a form is left alone.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from methodica.libraries.models import District, Library
from methodica.reporting import default_form, formulas
from methodica.reporting.models import (
    Campaign,
    Indicator,
    Justification,
    Report,
    ReportForm,
    ReportValue,
    ReportVersion,
)

YEARS = 10
SEED = 2026


def _size(library: Library, fte: Decimal) -> float:
    base = {"regional": 40.0, "municipal": 8.0, "school": 1.5}.get(
        library.library_type, 1.0
    )
    return max(base, float(fte) * (4 if library.library_type == "regional" else 1.2))


@dataclass(frozen=True)
class _Habits:
    """A library's own ratios, the same every year: a village library lends about as
    much per reader this year as last, so year-over-year warnings stay the few a
    methodologist would really look into."""

    users_per_size: float
    loans_per_user: float
    children_users: float
    children_loans: float
    visits_per_user: float
    virtual_per_user: float
    hours: int
    acquisition_rate: float
    withdrawal_share: float
    local_history_share: float
    attendance_per_event: int
    price_per_item: float

    @classmethod
    def draw(cls, rng: random.Random, size: float) -> _Habits:
        return cls(
            users_per_size=140 * rng.uniform(0.8, 1.2),
            loans_per_user=rng.uniform(18, 30),
            children_users=rng.uniform(0.2, 0.4),
            children_loans=rng.uniform(0.2, 0.4),
            visits_per_user=rng.uniform(8, 14),
            virtual_per_user=rng.uniform(0.5, 3),
            hours=rng.choice([20, 25, 30, 35, 40]) if size < 20 else 60,
            acquisition_rate=rng.uniform(0.006, 0.02),
            withdrawal_share=rng.uniform(0.2, 0.8),
            local_history_share=rng.uniform(0.01, 0.04),
            attendance_per_event=rng.randint(15, 40),
            price_per_item=rng.uniform(12, 18),
        )


def _figures(
    rng: random.Random,
    library: Library,
    size: float,
    year_index: int,
    fte: Decimal,
    qualified: Decimal,
    stock: int,
    served: int,
    habits: _Habits,
) -> tuple[dict[str, Decimal], int]:
    """One year of one library, consistent with every hard rule; returns the new stock."""
    trend = 1 + 0.02 * (year_index - YEARS / 2) * (1 if library.pk % 3 else -1)

    def noisy(value: float) -> float:
        return value * rng.uniform(0.95, 1.05)

    users = max(20, int(size * habits.users_per_size * trend * rng.uniform(0.95, 1.05)))
    loans = int(users * noisy(habits.loans_per_user))
    # Funding for new books varies more from year to year than reading does.
    acquired = max(5, int(stock * habits.acquisition_rate * rng.uniform(0.8, 1.2)))
    withdrawn = int(acquired * noisy(habits.withdrawal_share))
    end = stock + acquired - withdrawn
    periodicals, other_items = int(end * 0.04), int(end * 0.02)
    loans_periodicals, loans_other = int(loans * 0.09), int(loans * 0.03)
    events = max(4, int(size * rng.uniform(14, 20)))
    staff_cost = int(float(fte) * 9600 * (1 + 0.05 * year_index))
    acquisitions_cost = int(acquired * noisy(habits.price_per_item))
    other_cost = int(size * rng.uniform(900, 1200))
    spent = staff_cost + acquisitions_cost + other_cost
    values: dict[str, Any] = {
        "population_served": served,
        "users_total": users,
        "users_children": int(users * noisy(habits.children_users)),
        "visits_physical": int(users * noisy(habits.visits_per_user)),
        "visits_virtual": int(users * noisy(habits.virtual_per_user)),
        "loans_total": loans,
        "loans_children": int(loans * noisy(habits.children_loans)),
        "loans_books": loans - loans_periodicals - loans_other,
        "loans_periodicals": loans_periodicals,
        "loans_other": loans_other,
        "ill_received": rng.randint(0, 5),
        "ill_provided": rng.randint(0, 3),
        "collection_start": stock,
        "collection_end": end,
        "collection_books": end - periodicals - other_items,
        "collection_periodicals": periodicals,
        "collection_other": other_items,
        "collection_local_history": int(end * habits.local_history_share),
        "acquired_total": acquired,
        "acquired_purchase": int(acquired * 0.6),
        "acquired_donation": acquired - int(acquired * 0.6),
        "withdrawn": withdrawn,
        "hours_per_week": habits.hours,
        "computers_users": max(1, int(size)),
        "internet_users": 1,
        "events_count": events,
        "events_attendance": int(events * noisy(habits.attendance_per_event)),
        "staff_fte": fte,
        "staff_qualified_fte": qualified,
        "income_total": int(spent * rng.uniform(1.0, 1.05)),
        "expenditure_total": spent,
        "expenditure_staff": staff_cost,
        "expenditure_acquisitions": acquisitions_cost,
        "expenditure_other": other_cost,
    }
    return {code: Decimal(value) for code, value in values.items()}, end


def _open_state(
    rng: random.Random, values: dict[str, Decimal]
) -> tuple[Any, str | None]:
    """The status of a report in the open campaign, and the error it may carry."""
    roll = rng.random()
    if roll < 0.35:
        return Report.Status.NOT_STARTED, None
    if roll < 0.55:
        return Report.Status.DRAFT, None
    if roll < 0.62:
        values["loans_children"] = values["loans_total"] + 150  # a hard error
        return Report.Status.DRAFT, "children"
    if roll < 0.68:
        values["collection_end"] += 400  # grew with no acquisitions: a warning
        values["collection_books"] += 400
        return Report.Status.SUBMITTED, "stock"
    return Report.Status.SUBMITTED, None


def _population_served(libraries: list[Any]) -> dict[int, int]:
    """Each library's share of its settlement's population, by size: where a town
    has several libraries, each reports the part it serves, so that the district's
    population served is the district's population, not a multiple of it."""
    sizes = {lib.pk: _size(lib, lib.fte or Decimal("0.5")) for lib in libraries}
    by_place: dict[int, float] = {}
    for lib in libraries:
        by_place[lib.settlement_id] = by_place.get(lib.settlement_id, 0) + sizes[lib.pk]
    return {
        lib.pk: max(
            1,
            round(
                lib.settlement.population * sizes[lib.pk] / by_place[lib.settlement_id]
            ),
        )
        for lib in libraries
    }


def _reports_in(library: Library, year: int) -> bool:
    """A library reports from the year it opened until the year it was closed or
    suspended (the demo's closures and one new school library)."""
    if library.founded_year and library.founded_year > year:
        return False
    if library.status != Library.Status.ACTIVE and library.status_since:
        return year < library.status_since.year
    return True


@transaction.atomic
def load_demo_reports(district: District, stdout: Any = None) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo figures, not secrets
    this_year = timezone.localdate().year
    libraries = list(
        Library.objects.filter(municipality__district=district)
        .select_related("settlement")
        .order_by("pk")
        .annotate(fte=Sum("staff__fte"))
    )
    qualified = dict(
        Library.objects.filter(
            municipality__district=district, staff__has_library_qualification=True
        )
        .annotate(q=Sum("staff__fte"))
        .values_list("pk", "q")
    )
    stocks = {
        lib.pk: int(_size(lib, lib.fte or Decimal(1)) * rng.uniform(6000, 11000))
        for lib in libraries
    }
    served = _population_served(libraries)
    habits = {
        lib.pk: _Habits.draw(rng, _size(lib, lib.fte or Decimal("0.5")))
        for lib in libraries
    }
    made = 0
    for index, year in enumerate(range(this_year - YEARS, this_year + 1)):
        current = year == this_year
        if ReportForm.objects.filter(district=district, year=year).exists():
            continue
        form = default_form.build(district=district, year=year)
        campaign = Campaign.objects.create(
            form=form,
            deadline=datetime.date(year + 1, 1, 31),
            state=Campaign.State.OPEN if current else Campaign.State.CLOSED,
        )
        indicators = {i.code: i for i in Indicator.objects.filter(form=form)}
        for library in libraries:
            if not _reports_in(library, year):
                continue
            fte = library.fte or Decimal("0.5")
            values, stocks[library.pk] = _figures(
                rng,
                library,
                _size(library, fte),
                index,
                fte,
                min(qualified.get(library.pk) or Decimal(0), fte),
                stocks[library.pk],
                served[library.pk],
                habits[library.pk],
            )
            status, error = (
                _open_state(rng, values) if current else (Report.Status.ACCEPTED, None)
            )
            report = Report.objects.create(
                campaign=campaign,
                library=library,
                status=status,
                completeness=0 if status == Report.Status.NOT_STARTED else 100,
                revision=0 if status == Report.Status.NOT_STARTED else 1,
                submitted_at=None
                if status in (Report.Status.NOT_STARTED, Report.Status.DRAFT)
                else timezone.now(),
                accepted_at=timezone.now()
                if status == Report.Status.ACCEPTED
                else None,
            )
            if status == Report.Status.NOT_STARTED:
                continue
            computed = formulas.compute(indicators.values(), values)
            values |= {code: n for code, n in computed.items() if n is not None}
            ReportValue.objects.bulk_create(
                ReportValue(report=report, indicator=indicators[code], number=number)
                for code, number in values.items()
            )
            # Its one save, as the history page shows it (by no one: loaded).
            ReportVersion.objects.create(
                report=report,
                revision=1,
                status=status,
                form_version=form.version,
                values={code: format(n.normalize(), "f") for code, n in values.items()},
            )
            made += 1
            if error == "stock":
                Justification.objects.create(
                    report=report,
                    rule_code="stock_balance",
                    text="Получено дарение от частна библиотека, описано през януари.",
                )
    if stdout is not None:
        stdout.write(f"Demo reports: {made} reports over {YEARS + 1} years.\n")
