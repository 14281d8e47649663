"""The consolidation page and its outputs: totals of any set of libraries, the time
series, a ranking of libraries and a map of the municipalities; XLSX, CSV and the
map's GeoJSON. Every output reads the same ``?type=&municipality=&kind=`` set.

Who sees what: anyone holding ``reporting.consolidation:view`` somewhere in the
campaign's district, limited to that part of it (a municipal methodologist sees their
municipality only); everyone else gets a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.views.decorators.http import require_GET

from methodica.libraries.models import Library, Municipality, Settlement
from methodica.reporting.analysis import (
    TOP_CHOICES,
    PlaceValue,
    Shade,
    choose,
    map_values,
    measures,
    parse_top,
    rank_libraries,
)
from methodica.reporting.consolidation import (
    Consolidation,
    LibrarySet,
    consolidate,
    district_series,
    municipalities_for,
)
from methodica.reporting.exports import consolidation_csv, consolidation_xlsx
from methodica.reporting.models import Campaign
from methodica.reporting.performance import INDICATORS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_RANK, DEFAULT_SHADE = "loans_total", "p:loans_per_capita"


def consolidation_of(
    request: HttpRequest, pk: int
) -> tuple[Campaign, list[Municipality], Consolidation]:
    """The campaign, the municipalities the user may consolidate, and the
    consolidation of the set asked for in the query string; 404 for a campaign
    where the user may consolidate nothing."""
    campaign = Campaign.objects.select_related("form__district").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    allowed = municipalities_for(request.user, campaign.form.district_id)
    if not allowed:
        raise Http404
    selection = LibrarySet.from_params(
        request.GET,
        user=request.user,
        campaign=campaign,
        allowed={m.pk for m in allowed},
    )
    return campaign, allowed, consolidate(campaign, selection, allowed=allowed)


def _download(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _number(value: Decimal | None) -> str:
    """A figure in the page's language: 5 200 for a total, 6,12 for a ratio."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    return number_format(value.normalize(), use_l10n=True, force_grouping=True)


def _range(shade: Shade) -> str:
    if shade.low == shade.high:
        return _number(shade.low)
    return f"{_number(shade.low)} – {_number(shade.high)}"


def _series(result: Consolidation) -> dict[str, Any]:
    """Every numeric indicator's total of the set over the years, for the chart."""
    series = district_series(result.campaign.form.district_id, result.selection)
    return {
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "points": [
                    [year, float(total)] for year, total in series.get(i.code, [])
                ],
            }
            for i in result.indicators
        ],
    }


def _performance(result: Consolidation) -> list[tuple[Any, ...]]:
    total = result.performance(None)
    before = result.previous_performance()
    by_place = [result.performance(m.pk) for m in result.municipalities]
    return [
        (p, total[p.code], before[p.code], [place[p.code] for place in by_place])
        for p in INDICATORS
    ]


def _hidden(pairs: list[tuple[str, str]], *keys: tuple[str, str]) -> list[Any]:
    """The query parameters a section's own form must carry on."""
    return pairs + [(name, value) for name, value in keys if value]


@login_required
@require_GET
def consolidation(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, allowed, result = consolidation_of(request, pk)
    context = {
        "result": result,
        "campaign": campaign,
        "active_nav": "reports",
        "performance": _performance(result),
        "series": _series(result),
        "allowed": allowed,
        "types": Library.Type.choices,
        "kinds": Settlement.Kind.choices,
        "selection": result.selection,
        "set_description": result.selection.describe(allowed),
        "query": urlencode(result.selection.params()),
    }
    context.update(_analysis(request, result))
    return render(request, "reporting/consolidation.html", context)


def _analysis(request: HttpRequest, result: Consolidation) -> dict[str, Any]:
    """The ranking and the map, each with the small form that chooses its measure
    (and carries the other section's choice on)."""
    options = measures(result.indicators)
    if not options:
        return {}  # a form with no numeric indicator: nothing to rank or shade
    ranked = choose(options, request.GET.get("rank", ""), DEFAULT_RANK)
    shaded = choose(options, request.GET.get("shade", ""), DEFAULT_SHADE)
    top_text = request.GET.get("top", "")
    top = parse_top(top_text)
    ranking = rank_libraries(result.campaign, result.selection, ranked, top)
    places, scale = map_values(result, shaded)
    pairs = result.selection.params()
    return {
        "measures": options,
        "ranking": ranking,
        "ranking_chart": {
            "label": ranked.name,
            "labels": [row.name for row in ranking.rows],
            "values": [float(row.value) for row in ranking.rows],
        },
        # Room for every bar and its label: the chart grows with the libraries shown.
        "ranking_height": 60 + 24 * len(ranking.rows),
        "top": "all" if top is None else str(top),
        "top_choices": [str(n) for n in TOP_CHOICES],
        "rank_hidden": _hidden(pairs, ("shade", shaded.key)),
        "shade_hidden": _hidden(pairs, ("rank", ranked.key), ("top", top_text)),
        "set_hidden": _hidden(
            [],
            ("rank", ranked.key if "rank" in request.GET else ""),
            ("top", top_text),
            ("shade", shaded.key if "shade" in request.GET else ""),
        ),
        "ranking_rows": [(row, _number(row.value)) for row in ranking.rows],
        "ranking_pending": result.reports_expected - result.reports_accepted,
        "shaded": shaded,
        "places": [(place, _number(place.value)) for place in places],
        "scale": [(s, _range(s)) for s in scale],
        "map_url": reverse("reporting:consolidation_map", args=[result.campaign.pk])
        + "?"
        + urlencode([*pairs, ("shade", shaded.key)]),
    }


@login_required
@require_GET
def consolidation_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, _allowed, result = consolidation_of(request, pk)
    return _download(
        consolidation_xlsx(result), XLSX, f"consolidation-{campaign.year}.xlsx"
    )


@login_required
@require_GET
def consolidation_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, _allowed, result = consolidation_of(request, pk)
    return _download(
        consolidation_csv(result),
        "text/csv; charset=utf-8",
        f"consolidation-{campaign.year}.csv",
    )


def _feature(place: PlaceValue, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "id": place.municipality_id,
            "name": place.name,
            "value": float(place.value) if place.value is not None else None,
            "value_text": _number(place.value),
            "reported": place.reported,
            "expected": place.expected,
            "shade": place.shade.index if place.shade else None,
            "colour": place.shade.colour if place.shade else None,
        },
    }


@login_required
@require_GET
def consolidation_map(request: HttpRequest, pk: int) -> JsonResponse:
    """The municipalities of the set with their outline and the chosen measure, as a
    GeoJSON FeatureCollection; those without an outline are left out (they are in the
    page's table)."""
    _campaign, _allowed, result = consolidation_of(request, pk)
    options = measures(result.indicators)
    if not options:
        raise Http404  # a form with no numeric indicator has nothing to shade
    shaded = choose(options, request.GET.get("shade", ""), DEFAULT_SHADE)
    places, scale = map_values(result, shaded)
    outlines = dict(
        Municipality.objects.filter(
            pk__in=[p.municipality_id for p in places], boundary__isnull=False
        ).values_list("id", "boundary")
    )
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "measure": {"key": shaded.key, "name": shaded.name, "unit": shaded.unit},
            "scale": [
                {
                    "colour": s.colour,
                    "low": float(s.low),
                    "high": float(s.high),
                    "label": _range(s),
                }
                for s in scale
            ],
            "features": [
                _feature(place, outlines[place.municipality_id])
                for place in places
                if place.municipality_id in outlines
            ],
        }
    )
