"""Batch ingest pages: upload and check, the report, the run's progress, roll back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.heritage import batches
from methodica.heritage.models import Collection, IngestBatch, IngestRow
from methodica.libraries.models import District

CATALOGUE = batches.CATALOGUE
ROW_PAGE = 200


class BatchForm(forms.Form):
    archive = forms.FileField(
        label=gettext_lazy("Zip archive"),
        required=False,
        help_text=gettext_lazy("Scans and, unless uploaded beside, metadata.csv."),
    )
    folder = forms.CharField(
        label=gettext_lazy("Or a folder on the server"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("A path inside the import folder."),
    )
    csv = forms.FileField(label=gettext_lazy("metadata.csv beside"), required=False)
    collection = forms.ModelChoiceField(
        label=gettext_lazy("Default collection"),
        queryset=Collection.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = Collection.objects.filter(
            district=district
        )
        if batches.import_root() is None:
            del self.fields["folder"]


def _district(user: Any) -> District:
    district = District.objects.home_of(user)
    if district is None or not has_perm(user, CATALOGUE, district):
        raise Http404
    return district


def _batch(request: HttpRequest, pk: int) -> IngestBatch:
    return get_object_for_user(request.user, IngestBatch.objects, CATALOGUE, pk=pk)


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    district = _district(request.user)
    found = IngestBatch.objects.filter(district=district).select_related("created_by")
    return render(request, "heritage/batch_list.html", {"batches": found[:100]})


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    district = _district(request.user)
    form = BatchForm(request.POST or None, request.FILES or None, district=district)
    if request.method == "POST" and form.is_valid():
        archive = form.cleaned_data["archive"]
        try:
            batch = batches.create_batch(
                actor=request.user,
                district=district,
                archive=archive,
                archive_name=archive.name if archive else "",
                folder=form.cleaned_data.get("folder") or "",
                csv_upload=form.cleaned_data["csv"],
                collection=form.cleaned_data["collection"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error)
        else:
            return redirect("heritage:batch", batch.pk)
    return render(request, "heritage/batch_new.html", {"form": form})


def _progress_context(batch: IngestBatch) -> dict[str, Any]:
    total = batch.total_rows or 1
    return {
        "batch": batch,
        "percent": round(100 * batch.done_rows / total),
        "running": batch.status == IngestBatch.Status.RUNNING,
    }


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    rows = (
        batch.rows.select_related("item")
        .annotate(
            page_count=Count("item__pages", distinct=True),
            pages_done=Count(
                "item__pages", filter=Q(item__pages__ocr_status="done"), distinct=True
            ),
        )
        .order_by("number")[:ROW_PAGE]
    )
    errors = {row["number"]: row["errors"] for row in batch.report.get("rows", [])}
    context = _progress_context(batch) | {
        "rows": [(row, errors.get(row.number, {})) for row in rows],
        "can_run": batch.status
        in (IngestBatch.Status.CHECKED, IngestBatch.Status.INVALID)
        and not batch.report.get("errors")
        and batch.report.get("counts", {}).get("valid", 0) > 0,
        "can_resume": batch.status == IngestBatch.Status.FAILED,
        "can_roll_back": batch.status
        in (IngestBatch.Status.DONE, IngestBatch.Status.FAILED),
        "row_statuses": IngestRow.Status,
    }
    return render(request, "heritage/batch_detail.html", context)


@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the batch runs."""
    batch = _batch(request, pk)
    response = render(request, "heritage/batch_progress.html", _progress_context(batch))
    if batch.status != IngestBatch.Status.RUNNING:
        response["HX-Refresh"] = "true"  # finished: reload the rows' statuses too
    return response


@login_required
@require_POST
def batch_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        batches.start_batch(
            actor=request.user,
            batch=batch,
            skip_invalid=request.POST.get("skip_invalid") == "1",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The batch is queued; the worker makes the items."))
    return redirect("heritage:batch", batch.pk)


@login_required
@require_POST
def batch_roll_back(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        count = batches.roll_back_batch(actor=request.user, batch=batch)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(count)s items withdrawn; their master files are kept.")
            % {"count": count},
        )
    return redirect("heritage:batch", batch.pk)
