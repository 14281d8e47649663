"""The outputs of the annual reports: the consolidation as a PDF, and the public open
data page with its downloads."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from methodica.reporting import open_data
from methodica.reporting.analysis_views import consolidation_of
from methodica.reporting.models import Campaign
from methodica.reporting.pdf import FontsMissing, consolidation_pdf

logger = logging.getLogger(__name__)


@login_required
@require_GET
def consolidation_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The consolidation as a PDF summary, in the user's language, of the same set
    of libraries as the page (``?type=&municipality=&kind=``) and within what the user
    may consolidate."""
    campaign, _allowed, result = consolidation_of(request, pk)
    try:
        data = consolidation_pdf(result)
    except FontsMissing as exc:
        logger.error("No PDF of the consolidation: %s", exc)
        messages.error(request, exc.message)
        return redirect("reporting:consolidation", pk=campaign.pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="consolidation-{campaign.form.year}.pdf"'
    )
    return response


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    """Public: the closed years of each district, with their files and the API."""
    years = open_data.catalogue()
    districts: dict[int, list[open_data.OpenYear]] = {}
    for entry in years:
        districts.setdefault(entry.district.pk, []).append(entry)
    return render(
        request,
        "reporting/open_data/index.html",
        {
            "districts": list(districts.values()),
            "api_index": request.build_absolute_uri("/api/v1/open-data/"),
            "licence": open_data.LICENCE,
            "licence_url": open_data.LICENCE_URL,
            "active_nav": "open_data",
        },
    )


@require_GET
def open_data_file(
    request: HttpRequest, district: str, year: int, name: str
) -> FileResponse:
    """Public: one file of a closed year, read from the storage (written if missing).
    An open year's files are never served, whatever the storage holds."""
    campaign = (
        Campaign.objects.select_related("form__district")
        .filter(
            state=Campaign.State.CLOSED,
            form__year=year,
            form__district__code__iexact=district,
        )
        .first()
    )
    kind = open_data.kind_of(campaign, name) if campaign else None
    if campaign is None or kind is None:
        raise Http404
    path = open_data.ensure_file(campaign, kind)
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=name,
        content_type=kind.content_type,
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
