"""The reach page, the records behind each figure, and the year's activity report."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from methodica.activity import annual_report, reach
from methodica.activity.record_tables import table_for
from methodica.activity.scope import (
    allowed_municipalities,
    area_for,
    period_for,
    year_period,
)
from methodica.core.permissions import has_perm
from methodica.reporting.pdf import FontsMissing

logger = logging.getLogger(__name__)

RECORDS_PER_PAGE = 50
# ``municipality`` names the area; a breakdown line by municipality is ``in``.
FILTERS = ("channel", "topic", "origin", "type", "programme")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The figures of a period and area, as cards, tables and charts."""
    area = area_for(request.user, request.GET.get("municipality"))
    period, form = period_for(request.GET)
    figures = reach.compute(period, area)
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if area.municipality is not None:
        query["municipality"] = str(area.municipality.pk)
    return render(
        request,
        "activity/home.html",
        {
            "reach": figures,
            "area": area,
            "form": form,
            "query": urlencode(query),
            "municipalities": allowed_municipalities(request.user).filter(
                district=area.district
            ),
            "district_wide": _may_see_district(request, area),
            "charts": _charts(figures),
            "year": period.start.year,
            "active_nav": "activity",
        },
    )


def _may_see_district(request: HttpRequest, area: reach.Area) -> bool:
    return has_perm(request.user, "activity.reach:view", area.district)


def _charts(figures: reach.Reach) -> dict[str, list[list[object]]]:
    return {
        "channels": [[r.label, r.count] for r in figures.by_channel],
        "topics": [[r.label, r.count] for r in figures.by_topic],
        "trained": [[r.label, r.count] for r in figures.trained_by_municipality],
    }


@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    """The records counted by one figure (``?figure=``) of the same period and area."""
    area = area_for(request.user, request.GET.get("municipality"))
    period, _form = period_for(request.GET)
    figure = request.GET.get("figure", "")
    filters = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    if request.GET.get("in"):
        filters["municipality"] = request.GET["in"]
    try:
        rows = reach.records(figure, period, area, **filters)
    except KeyError:
        raise Http404 from None
    page = Paginator(rows, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    table = table_for(figure, page.object_list)
    return render(
        request,
        "activity/records.html",
        {
            "table": table,
            "page": page,
            "area": area,
            "period": period,
            "count": page.paginator.count,
            "active_nav": "activity",
        },
    )


@login_required
@require_GET
def report(request: HttpRequest, year: str, fmt: str) -> HttpResponse:
    """The year's activity report as DOCX or PDF, in the user's language."""
    area = area_for(request.user, request.GET.get("municipality"))
    content = annual_report.build(year_period(int(year)), area, user=request.user)
    try:
        if fmt == "pdf":
            from methodica.activity.pdf_writer import write_pdf

            data, mime = write_pdf(content), "application/pdf"
        else:
            from methodica.activity.docx_writer import write_docx

            data = write_docx(content)
            mime = (
                "application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document"
            )
    except FontsMissing as exc:
        logger.error("No PDF of the activity report: %s", exc)
        messages.error(request, exc.message)
        return redirect("activity:home")
    response = HttpResponse(data, content_type=mime)
    suffix = f"-{area.municipality.code}" if area.municipality else ""
    response["Content-Disposition"] = (
        f'attachment; filename="activity-{year}{suffix}.{fmt}"'
    )
    return response
