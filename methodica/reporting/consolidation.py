"""The consolidation (свод): totals of accepted reports by municipality and for the
district, or for any set of libraries, each with its coverage, and last year beside
them.

Totals add numbers only: marks (not applicable, unknown, closed) never count, and an
estimate counts as its number. Coverage is how many accepted reports gave a number,
out of how many reports the campaign expects, both within the set.

A :class:`LibrarySet` says which libraries count: filters a user chose (a library
type, some municipalities, towns or villages) and, for someone who may consolidate
only part of the district (a municipal methodologist), the part the permission
engine gives them. Every query of the consolidation, last year's included, applies
the same set, so the page and every export agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from methodica.core.permissions import has_perm, scope_q
from methodica.libraries.models import Library, Municipality, Settlement
from methodica.libraries.queries import parse_id
from methodica.reporting.models import Campaign, Indicator, Mark, Report, ReportValue
from methodica.reporting.performance import INDICATORS

COUNTED = Q(mark__in=[Mark.NONE, Mark.ESTIMATED], number__isnull=False)
PERM = "reporting.consolidation:view"
# Lookups from a model to its library: ``LibrarySet.q(REPORT)`` filters reports.
LIBRARY, REPORT, VALUE = "", "library__", "report__library__"


@dataclass(frozen=True)
class LibrarySet:
    """The libraries a consolidation covers."""

    library_type: str = ""
    municipality_ids: tuple[int, ...] = ()
    settlement_kind: str = ""
    # Set only for a user who may consolidate part of the district: every query is
    # then limited to the libraries in their scope (``scope_q``).
    user: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, Any],
        *,
        user: Any,
        campaign: Campaign,
        allowed: Collection[int],
    ) -> LibrarySet:
        """The set a user asked for (``?type=&municipality=&municipality=&kind=``).

        Municipalities outside ``allowed`` (those the user may consolidate) are
        dropped, and the user's scope applies anyway, so no parameter reaches
        another municipality's figures."""
        getlist = getattr(params, "getlist", None)
        raw = getlist("municipality") if getlist else [params.get("municipality", "")]
        ids = sorted({i for i in map(parse_id, raw[:100]) if i and i in allowed})
        library_type = params.get("type", "")
        kind = params.get("kind", "")
        return cls(
            library_type=library_type if library_type in Library.Type.values else "",
            municipality_ids=tuple(ids),
            settlement_kind=kind if kind in Settlement.Kind.values else "",
            user=None if has_perm(user, PERM, campaign) else user,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.library_type or self.municipality_ids or self.settlement_kind)

    @property
    def is_whole_district(self) -> bool:
        return not self.is_filtered and self.user is None

    def q(self, prefix: str = LIBRARY) -> Q:
        """The set as a filter on libraries, or, with ``prefix``, on reports
        (``REPORT``) or report values (``VALUE``)."""
        q = Q()
        if self.library_type:
            q &= Q(**{f"{prefix}library_type": self.library_type})
        if self.municipality_ids:
            q &= Q(**{f"{prefix}municipality_id__in": self.municipality_ids})
        if self.settlement_kind:
            q &= Q(**{f"{prefix}settlement__kind": self.settlement_kind})
        if self.user is not None:
            q &= scope_q(
                self.user,
                PERM,
                district=f"{prefix}municipality__district_id",
                municipality=f"{prefix}municipality_id",
                library=f"{prefix}id",
            )
        return q

    def params(self) -> list[tuple[str, str]]:
        """The set as query parameters, for links to the exports and hidden inputs."""
        pairs = [("municipality", str(i)) for i in self.municipality_ids]
        if self.library_type:
            pairs.insert(0, ("type", self.library_type))
        if self.settlement_kind:
            pairs.append(("kind", self.settlement_kind))
        return pairs

    def describe(self, municipalities: Collection[Municipality] = ()) -> str:
        """In words, for headings and exports: "chitalishte libraries; towns"."""
        parts = []
        if self.library_type:
            parts.append(
                _("type: %(type)s") % {"type": Library.Type(self.library_type).label}
            )
        if self.municipality_ids or self.user is not None:
            # A user limited to part of the district is told which part it is.
            names = [
                m.name
                for m in municipalities
                if m.pk in self.municipality_ids or not self.municipality_ids
            ]
            parts.append(_("municipalities: %(names)s") % {"names": ", ".join(names)})
        if self.settlement_kind:
            parts.append(
                _("settlements: %(kind)s")
                % {"kind": Settlement.Kind(self.settlement_kind).label}
            )
        return "; ".join(parts)


def municipalities_for(user: Any, district_id: int) -> list[Municipality]:
    """The municipalities of the district whose figures ``user`` may consolidate
    (one query); empty for anyone who may see none of it."""
    return list(
        Municipality.objects.filter(district_id=district_id)
        .filter(
            scope_q(
                user,
                PERM,
                district="district_id",
                municipality="id",
                library="libraries__id",
            )
        )
        .distinct()
        .defer("boundary")
        .order_by("name")
    )


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
    selection: LibrarySet = field(default_factory=LibrarySet)

    @property
    def reports_expected(self) -> int:
        return self.expected.get(None, 0)

    @property
    def total_label(self) -> str:
        """What the total column is: the district, or the chosen set."""
        if self.selection.is_whole_district:
            return _("District")
        return _("Selected libraries")

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


def _codes(campaign: Campaign) -> dict[int, str]:
    """The codes of the campaign's form's indicators, by id. Totals are grouped by
    indicator id and named after: joining the indicators for their codes made
    PostgreSQL scan every form's indicators (all districts, all years), 5x the time
    of the sums at a country's scale (docs/decisions/0006)."""
    return dict(
        Indicator.objects.filter(form_id=campaign.form_id)
        .order_by()
        .values_list("id", "code")
    )


def _counted_values(campaign: Campaign, selection: LibrarySet) -> Any:
    """The values that count: accepted reports' numbers, within ``selection``."""
    return ReportValue.objects.filter(
        COUNTED,
        selection.q(VALUE),
        report__campaign=campaign,
        report__status=Report.Status.ACCEPTED,
    ).order_by()


# Counting the numbers, not the rows' ids (the same: COUNTED has numbers only), lets
# PostgreSQL read the values from the covering index ``value_one_per_cell`` alone.
REPORTED = Count("number")


def _totals(
    campaign: Campaign, selection: LibrarySet
) -> tuple[dict[int | None, dict[str, Total]], dict[int | None, int], int]:
    expected: dict[int | None, int] = {}
    accepted = 0
    # the expected and the accepted reports by municipality, in one query
    for municipality_id, count, accepted_here in (
        Report.objects.filter(selection.q(REPORT), campaign=campaign)
        .values_list("library__municipality_id")
        .annotate(
            count=Count("id"),
            accepted=Count("id", filter=Q(status=Report.Status.ACCEPTED)),
        )
        .values_list("library__municipality_id", "count", "accepted")
    ):
        expected[municipality_id] = count
        accepted += accepted_here
    codes = _codes(campaign)
    rows = (
        _counted_values(campaign, selection)
        .values_list("report__library__municipality_id", "indicator_id")
        .annotate(total=Sum("number"), reported=REPORTED)
    )
    totals: dict[int | None, dict[str, Total]] = defaultdict(dict)
    district: dict[str, Total] = defaultdict(Total)
    for municipality_id, indicator_id, total, reported in rows:
        code = codes[indicator_id]
        totals[municipality_id][code] = Total(
            total, reported, expected.get(municipality_id, 0)
        )
        district[code].value = (district[code].value or Decimal(0)) + total
        district[code].reported += reported
    expected[None] = sum(expected.values())
    for entry in district.values():
        entry.expected = expected[None]
    totals[None] = dict(district)
    return dict(totals), expected, accepted


def _district_totals(campaign: Campaign, selection: LibrarySet) -> dict[str, Total]:
    """The totals of the whole ``selection`` only, as ``_totals(...)[0][None]``, for
    last year's column: grouped by indicator alone, so neither the libraries nor the
    municipalities are joined."""
    expected = Report.objects.filter(selection.q(REPORT), campaign=campaign).count()
    codes = _codes(campaign)
    rows = (
        _counted_values(campaign, selection)
        .values_list("indicator_id")
        .annotate(total=Sum("number"), reported=REPORTED)
    )
    return {
        codes[indicator_id]: Total(total, reported, expected)
        for indicator_id, total, reported in rows
    }


def consolidate(
    campaign: Campaign,
    selection: LibrarySet | None = None,
    *,
    allowed: list[Municipality] | None = None,
) -> Consolidation:
    """The consolidation of ``campaign``'s accepted reports, of every library of the
    district or of ``selection`` (a dozen queries, whatever the size). ``allowed``:
    the user's ``municipalities_for``, when the caller has it already."""
    selection = selection or LibrarySet()
    form = campaign.form
    indicators = [i for i in form.indicators.select_related("section") if i.is_numeric]
    if selection.user is not None:
        municipalities = (
            list(allowed)
            if allowed is not None
            else municipalities_for(selection.user, form.district_id)
        )
    else:
        municipalities = list(
            Municipality.objects.filter(district_id=form.district_id)
            .defer("boundary")
            .order_by("name")
        )
    if selection.municipality_ids:
        municipalities = [
            m for m in municipalities if m.pk in selection.municipality_ids
        ]
    totals, expected, accepted = _totals(campaign, selection)
    result = Consolidation(
        campaign,
        indicators,
        municipalities,
        totals,
        expected=expected,
        reports_accepted=accepted,
        selection=selection,
    )
    previous = Campaign.objects.filter(
        form__district_id=form.district_id, form__year=form.year - 1
    ).first()
    if previous is not None:
        result.previous = _district_totals(previous, selection)
    result.missing = list(
        Report.objects.filter(selection.q(REPORT), campaign=campaign)
        .exclude(status=Report.Status.ACCEPTED)
        .select_related("library__municipality")
        .defer("library__municipality__boundary")
        .order_by("library__municipality__name", "library__name")
    )
    return result


def district_series(
    district_id: int, selection: LibrarySet | None = None
) -> dict[str, list[tuple[int, Decimal]]]:
    """Every numeric indicator's total for every year, of the district or of
    ``selection``, from accepted reports (one query), for the time-series chart:
    {code: [(year, total), ...]}."""
    rows = (
        ReportValue.objects.filter(
            COUNTED,
            (selection or LibrarySet()).q(VALUE),
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
