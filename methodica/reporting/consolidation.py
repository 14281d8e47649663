"""The consolidation (свод): totals of accepted reports by municipality and for the
district, each with its coverage, and last year beside them.

Totals add numbers only: marks (not applicable, unknown, closed) never count, and an
estimate counts as its number. Coverage is how many accepted reports gave a number,
out of how many reports the campaign expects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from methodica.libraries.models import Municipality
from methodica.reporting.models import Campaign, Indicator, Mark, Report, ReportValue
from methodica.reporting.performance import INDICATORS

COUNTED = Q(mark__in=[Mark.NONE, Mark.ESTIMATED], number__isnull=False)


@dataclass
class Total:
    value: Decimal | None = None
    reported: int = 0
    expected: int = 0

    @property
    def coverage(self) -> str:
        return f"{self.reported}/{self.expected}"


@dataclass
class Consolidation:
    campaign: Campaign
    indicators: list[Indicator]
    municipalities: list[Municipality]
    # by municipality id (None for the district) and indicator code
    totals: dict[int | None, dict[str, Total]] = field(default_factory=dict)
    previous: dict[str, Total] = field(default_factory=dict)
    expected: dict[int | None, int] = field(default_factory=dict)
    reports_accepted: int = 0
    missing: list[Report] = field(default_factory=list)

    @property
    def reports_expected(self) -> int:
        return self.expected.get(None, 0)

    def total(self, municipality_id: int | None, code: str) -> Total:
        """The total of one indicator in one municipality (None: the district)."""
        found = self.totals.get(municipality_id, {}).get(code)
        return found or Total(expected=self.expected.get(municipality_id, 0))

    def district(self, code: str) -> Total:
        return self.total(None, code)

    def values_of(self, municipality_id: int | None) -> dict[str, Decimal]:
        """The totals of one place as {code: number}, for performance indicators."""
        return {
            code: total.value
            for code, total in self.totals.get(municipality_id, {}).items()
            if total.value is not None
        }

    def performance(self, municipality_id: int | None) -> dict[str, Decimal | None]:
        values = self.values_of(municipality_id)
        return {indicator.code: indicator.compute(values) for indicator in INDICATORS}

    def previous_performance(self) -> dict[str, Decimal | None]:
        values = {
            code: t.value for code, t in self.previous.items() if t.value is not None
        }
        return {indicator.code: indicator.compute(values) for indicator in INDICATORS}

    def change(self, code: str) -> Decimal | None:
        now, before = self.district(code).value, self.previous.get(code, Total()).value
        if now is None or not before:
            return None
        return (now - before) / before * 100


def _totals(
    campaign: Campaign,
) -> tuple[dict[int | None, dict[str, Total]], dict[int | None, int], int]:
    expected: dict[int | None, int] = dict(
        Report.objects.filter(campaign=campaign)
        .values_list("library__municipality_id")
        .annotate(count=Count("id"))
        .values_list("library__municipality_id", "count")
    )
    rows = (
        ReportValue.objects.filter(
            COUNTED, report__campaign=campaign, report__status=Report.Status.ACCEPTED
        )
        .values_list("report__library__municipality_id", "indicator__code")
        .annotate(total=Sum("number"), reported=Count("id"))
    )
    totals: dict[int | None, dict[str, Total]] = defaultdict(dict)
    district: dict[str, Total] = defaultdict(Total)
    for municipality_id, code, total, reported in rows:
        totals[municipality_id][code] = Total(
            total, reported, expected.get(municipality_id, 0)
        )
        district[code].value = (district[code].value or Decimal(0)) + total
        district[code].reported += reported
    expected[None] = sum(expected.values())
    for entry in district.values():
        entry.expected = expected[None]
    totals[None] = dict(district)
    accepted = Report.objects.filter(
        campaign=campaign, status=Report.Status.ACCEPTED
    ).count()
    return dict(totals), expected, accepted


def consolidate(campaign: Campaign) -> Consolidation:
    """The consolidation of ``campaign``'s accepted reports (a dozen queries)."""
    form = campaign.form
    indicators = [i for i in form.indicators.select_related("section") if i.is_numeric]
    municipalities = list(
        Municipality.objects.filter(district_id=form.district_id).order_by("name")
    )
    totals, expected, accepted = _totals(campaign)
    result = Consolidation(
        campaign,
        indicators,
        municipalities,
        totals,
        expected=expected,
        reports_accepted=accepted,
    )
    previous = Campaign.objects.filter(
        form__district_id=form.district_id, form__year=form.year - 1
    ).first()
    if previous is not None:
        result.previous = _totals(previous)[0].get(None, {})
    result.missing = list(
        Report.objects.filter(campaign=campaign)
        .exclude(status=Report.Status.ACCEPTED)
        .select_related("library__municipality")
        .order_by("library__municipality__name", "library__name")
    )
    return result


def district_series(district_id: int) -> dict[str, list[tuple[int, Decimal]]]:
    """Every numeric indicator's district total for every year, from accepted reports
    (one query), for the time-series chart: {code: [(year, total), ...]}."""
    rows = (
        ReportValue.objects.filter(
            COUNTED,
            report__campaign__form__district_id=district_id,
            report__status=Report.Status.ACCEPTED,
        )
        .values_list("report__campaign__form__year", "indicator__code")
        .annotate(total=Sum("number"))
        .order_by("report__campaign__form__year")
    )
    series: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for year, code, total in rows:
        series[code].append((year, total))
    return dict(series)
