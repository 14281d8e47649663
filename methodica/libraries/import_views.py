"""The register import: upload, map columns, preview, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.libraries import importing
from methodica.libraries.forms import ImportUploadForm
from methodica.libraries.models import District, RegisterImport
from methodica.libraries.register_columns import COLUMNS, COLUMNS_BY_KEY


def _district(request: HttpRequest) -> District:
    district = District.objects.home_of(request.user)
    if district is None or not has_perm(
        request.user, "libraries.library:import", district
    ):
        raise PermissionDenied
    return district


def _import(request: HttpRequest, pk: int) -> RegisterImport:
    return get_object_for_user(
        request.user, RegisterImport.objects.all(), "libraries.library:import", pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            register_import = importing.start_register_import(
                actor=request.user, district=district, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("libraries:import_mapping", pk=register_import.pk)
    recent = RegisterImport.objects.filter(district=district).select_related(
        "created_by"
    )[:10]
    return render(
        request, "libraries/import_upload.html", {"form": form, "recent": recent}
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    register_import = _import(request, pk)
    error = None
    mapping = register_import.mapping
    if request.method == "POST":
        mapping = {
            header: request.POST.get(f"col_{index}", "")
            for index, header in enumerate(register_import.headers)
        }
        mapping = {h: k for h, k in mapping.items() if k}
        try:
            importing.preview_register_import(
                register_import=register_import, actor=request.user, mapping=mapping
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("libraries:import_preview", pk=register_import.pk)
    rows = [
        (index, header, mapping.get(header, ""))
        for index, header in enumerate(register_import.headers)
    ]
    return render(
        request,
        "libraries/import_mapping.html",
        {
            "register_import": register_import,
            "rows": rows,
            "columns": COLUMNS,
            "error": error,
        },
    )


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    register_import = _import(request, pk)
    if not register_import.preview:
        return redirect("libraries:import_mapping", pk=pk)
    preview = register_import.preview
    return render(
        request,
        "libraries/import_preview.html",
        {
            "register_import": register_import,
            "counts": preview["counts"],
            "rows": [
                {
                    **row,
                    "changes": [
                        (COLUMNS_BY_KEY[key].label, before, after)
                        for key, (before, after) in row["changes"].items()
                        if key in COLUMNS_BY_KEY
                    ],
                }
                for row in preview["rows"]
                if row["action"] != "unchanged"
            ],
            "clean": preview["counts"]["error"] == 0,
            "applied": register_import.state == RegisterImport.State.APPLIED,
        },
    )


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    register_import = _import(request, pk)
    try:
        table = importing.read_stored_table(register_import)
        counts = importing.apply_import(
            register_import=register_import, table=table, actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("libraries:import_preview", pk=pk)
    messages.success(
        request,
        _("Imported: %(create)s added, %(update)s changed, %(unchanged)s unchanged.")
        % counts,
    )
    return redirect("libraries:list")
