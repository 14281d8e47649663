"""Pages of the history import: upload, map the columns, preview, confirm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.libraries.models import District
from methodica.reporting import history as importing
from methodica.reporting.models import HistoryImport


class HistoryUploadForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year reported"), min_value=1990, max_value=2100
    )
    file = forms.FileField(
        label=gettext_lazy("Consolidated spreadsheet"),
        help_text=gettext_lazy(
            "One row per library, one column per indicator (.xlsx or .csv)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _history(request: HttpRequest, pk: int) -> HistoryImport:
    return get_object_for_user(
        request.user, HistoryImport.objects.all(), "reporting.campaign:manage", pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def history_upload(request: HttpRequest) -> HttpResponse:
    district = District.objects.home_of(request.user)
    if district is None or not has_perm(
        request.user, "reporting.campaign:manage", district
    ):
        raise PermissionDenied
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            history = importing.start_history_import(
                actor=request.user,
                district=district,
                year=form.cleaned_data["year"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields else "file", exc.message
            )
        else:
            return redirect("reporting:history_mapping", pk=history.pk)
    return render(
        request,
        "reporting/history_upload.html",
        {"form": form, "active_nav": "reports"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def history_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    history = _history(request, pk)
    mapping, error = history.mapping, None
    if request.method == "POST":
        mapping = {
            header: request.POST.get(f"col_{index}", "")
            for index, header in enumerate(history.headers)
        }
        mapping = {h: k for h, k in mapping.items() if k}
        try:
            importing.preview_history_import(
                actor=request.user, history=history, mapping=mapping
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("reporting:history_preview", pk=history.pk)
    choices = [(importing.LIBRARY, _("Library (name or registration number)"))] + [
        (code, f"{code}: {indicator.name}")
        for code, indicator in importing.default_indicators().items()
    ]
    rows = [
        (index, header, mapping.get(header, ""))
        for index, header in enumerate(history.headers)
    ]
    return render(
        request,
        "reporting/history_mapping.html",
        {
            "history": history,
            "rows": rows,
            "choices": choices,
            "error": error,
            "active_nav": "reports",
        },
    )


@login_required
def history_preview(request: HttpRequest, pk: int) -> HttpResponse:
    history = _history(request, pk)
    if not history.preview:
        return redirect("reporting:history_mapping", pk=pk)
    return render(
        request,
        "reporting/history_preview.html",
        {
            "history": history,
            "counts": history.preview["counts"],
            "rows": [row for row in history.preview["rows"] if row["errors"]],
            "clean": history.preview["counts"]["error"] == 0,
            "applied": history.state == HistoryImport.State.APPLIED,
            "active_nav": "reports",
        },
    )


@login_required
@require_POST
def history_apply(request: HttpRequest, pk: int) -> HttpResponse:
    history = _history(request, pk)
    try:
        count = importing.apply_history_import(actor=request.user, history=history)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:history_preview", pk=pk)
    messages.success(
        request,
        _("%(count)s reports of %(year)s were imported.")
        % {"count": count, "year": history.year},
    )
    return redirect("reporting:home")
