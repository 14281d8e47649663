"""Analysis of a consolidation: what to measure, a ranking of libraries, and the
shading of municipalities on a map.

A *measure* is either an indicator of the form (its total, or one library's number)
or a performance indicator (``performance.INDICATORS``) computed over the same
values: a municipality's totals for the map, one library's own values for the
ranking. Only accepted reports count, and only numbers (an estimate is a number;
marks are not), as in the consolidation itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from methodica.reporting.consolidation import (
    COUNTED,
    REPORT,
    VALUE,
    Consolidation,
    LibrarySet,
)
from methodica.reporting.models import Campaign, Indicator, Report, ReportValue
from methodica.reporting.performance import INDICATORS, Performance

TOP_CHOICES = (10, 25, 50)
# Five shades of one blue, light to dark (ColorBrewer "Blues" without its palest,
# which a light page would swallow); outlines keep neighbours apart.
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


@dataclass(frozen=True)
class Measure:
    """Something to rank libraries or shade municipalities by."""

    key: str  # "loans_total" for an indicator, "p:loans_per_capita" for a ratio
    name: str
    unit: str
    codes: frozenset[str]  # the indicators it reads
    indicator: Indicator | None = None
    performance: Performance | None = None

    def of(self, values: Mapping[str, Decimal]) -> Decimal | None:
        """The measure over one place's or one library's values {code: number}."""
        if self.performance is not None:
            return self.performance.compute(values)
        assert self.indicator is not None
        return values.get(self.indicator.code)


def measures(indicators: Sequence[Indicator]) -> list[Measure]:
    """Every numeric indicator of the form, then every performance indicator whose
    parts the form has."""
    found = [
        Measure(i.code, i.name, i.unit_label, frozenset({i.code}), indicator=i)
        for i in indicators
        if i.is_numeric
    ]
    known = {i.code for i in indicators}
    for p in INDICATORS:
        codes = frozenset(p.codes)
        if codes <= known:
            found.append(Measure(f"p:{p.code}", p.name, "", codes, performance=p))
    return found


def choose(options: Sequence[Measure], key: str, default: str) -> Measure:
    """The measure named ``key``, else ``default``, else the first."""
    by_key = {m.key: m for m in options}
    return by_key.get(key) or by_key.get(default) or options[0]


def parse_top(text: str) -> int | None:
    """``?top=``: 10, 25 or 50 libraries, or None for all of them (``all``)."""
    if text == "all":
        return None
    return int(text) if text in {str(n) for n in TOP_CHOICES} else TOP_CHOICES[0]


@dataclass(frozen=True)
class RankedLibrary:
    rank: int
    library_id: int
    name: str
    municipality: str
    value: Decimal


@dataclass(frozen=True)
class Ranking:
    measure: Measure
    rows: list[RankedLibrary]
    ranked: int  # libraries with a value, before the top N is cut
    without_value: int  # accepted reports of the set that give no value


def rank_libraries(
    campaign: Campaign, selection: LibrarySet, measure: Measure, top: int | None
) -> Ranking:
    """The libraries of the set with an accepted report, highest value first (ties
    by name), each measured over its own values (one query)."""
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    names: dict[int, tuple[str, str]] = {}
    accepted = Report.objects.filter(
        selection.q(REPORT), campaign=campaign, status=Report.Status.ACCEPTED
    ).values_list("library_id", "library__name", "library__municipality__name")
    for library_id, name, municipality in accepted:
        names[library_id] = (name, municipality)
    rows = ReportValue.objects.filter(
        COUNTED,
        selection.q(VALUE),
        report__campaign=campaign,
        report__status=Report.Status.ACCEPTED,
        indicator__code__in=sorted(measure.codes),
    ).values_list("report__library_id", "indicator__code", "number")
    for library_id, code, number in rows:
        values[library_id][code] = number
    measured = [
        (value, names[library_id], library_id)
        for library_id in names
        if (value := measure.of(values.get(library_id, {}))) is not None
    ]
    measured.sort(key=lambda row: (-row[0], row[1][0], row[2]))
    cut = measured if top is None else measured[:top]
    return Ranking(
        measure,
        [
            RankedLibrary(position, library_id, name, municipality, value)
            for position, (value, (name, municipality), library_id) in enumerate(
                cut, start=1
            )
        ],
        ranked=len(measured),
        without_value=len(names) - len(measured),
    )


@dataclass(frozen=True)
class Shade:
    """One class of the map's colour scale: values from ``low`` to ``high``."""

    index: int
    colour: str
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class PlaceValue:
    municipality_id: int
    name: str
    value: Decimal | None
    reported: int
    expected: int
    shade: Shade | None


def shades(values: Sequence[Decimal]) -> list[Shade]:
    """Up to five classes with about as many places in each (quantiles), so that a
    city far above its villages does not leave every other place the same colour."""
    ordered = sorted(set(values))
    if not ordered:
        return []
    count = min(len(PALETTE), len(ordered))
    # Class i starts at the value a share i/count of the way along the sorted list.
    starts = [ordered[(len(ordered) * i) // count] for i in range(count)]
    result = []
    for i, low in enumerate(starts):
        high = (
            ordered[-1]
            if i == count - 1
            else max(v for v in ordered if v < starts[i + 1])
        )
        # Fewer classes than colours still span light to dark.
        colour = PALETTE[(i * (len(PALETTE) - 1)) // max(count - 1, 1)]
        result.append(Shade(i, colour, low, high))
    return result


def shade_of(value: Decimal | None, scale: Sequence[Shade]) -> Shade | None:
    if value is None:
        return None
    for shade in reversed(scale):
        if value >= shade.low:
            return shade
    return scale[0] if scale else None


def map_values(
    result: Consolidation, measure: Measure
) -> tuple[list[PlaceValue], list[Shade]]:
    """Each municipality of the set measured over its totals, with its class on the
    colour scale. The coverage of a ratio is that of its least reported part."""
    places = []
    for m in result.municipalities:
        totals = [result.total(m.pk, code) for code in sorted(measure.codes)]
        places.append(
            (
                m,
                measure.of(result.values_of(m.pk)),
                min(t.reported for t in totals),
                result.expected.get(m.pk, 0),
            )
        )
    scale = shades([value for _, value, _, _ in places if value is not None])
    return [
        PlaceValue(m.pk, m.name, value, reported, expected, shade_of(value, scale))
        for m, value, reported, expected in places
    ], scale
