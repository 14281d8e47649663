from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.core.permissions import get_object_for_user, has_perm, require_perm
from methodica.core.timeline import events_for
from methodica.libraries import exports, services
from methodica.libraries.forms import LibraryForm, NewLibraryForm, StaffForm, StatusForm
from methodica.libraries.models import Library, Municipality, StaffMember
from methodica.libraries.queries import RegisterFilter, parse_id

PAGE_SIZES = (25, 50, 100, 200)


def _form_error(form: Any, exc: Exception) -> None:
    """Put a service's refusal on the form, by field where it names one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    elif isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _library(
    request: HttpRequest, pk: int, perm: str = "libraries.library:view"
) -> Library:
    return get_object_for_user(request.user, Library.objects.with_place(), perm, pk=pk)


@login_required
@require_GET
def library_list(request: HttpRequest) -> HttpResponse:
    register = RegisterFilter.from_params(request.GET)
    libraries = register.apply(Library.objects.visible_to(request.user).with_place())
    size = parse_id(request.GET.get("size", "")) or 50
    size = size if size in PAGE_SIZES else 50
    page = Paginator(libraries, size).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filter": register,
        "query": params.urlencode(),
        "municipalities": Municipality.objects.visible_to(request.user),
        "types": Library.Type.choices,
        "statuses": Library.Status.choices,
        "page_sizes": PAGE_SIZES,
        "size": size,
        "can_create": has_perm(request.user, "libraries.library:create"),
        "can_export": has_perm(request.user, "libraries.library:export"),
    }
    template = (
        "libraries/_table.html"
        if request.headers.get("HX-Request")
        else "libraries/list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def library_map(request: HttpRequest) -> HttpResponse:
    register = RegisterFilter.from_params(request.GET)
    return render(
        request,
        "libraries/map.html",
        {
            "filter": register,
            "query": request.GET.urlencode(),
            "tile_url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_ATTRIBUTION,
        },
    )


@login_required
@require_GET
def library_geojson(request: HttpRequest) -> JsonResponse:
    register = RegisterFilter.from_params(request.GET)
    libraries = (
        register.apply(Library.objects.visible_to(request.user))
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list("id", "name", "latitude", "longitude", "status", "library_type")
    )
    statuses = dict(Library.Status.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {
                "id": pk,
                "name": name,
                "status": status,
                "status_label": str(statuses[status]),
                "type": kind,
                "url": reverse("libraries:detail", args=[pk]),
            },
        }
        for pk, name, lat, lon, status, kind in libraries
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
@require_GET
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    library = _library(request, pk)
    user = request.user
    can_staff = has_perm(user, "libraries.staff:view", library)
    return render(
        request,
        "libraries/detail.html",
        {
            "library": library,
            "staff": library.staff.all() if can_staff else None,
            "branches": library.branches.visible_to(user).with_place(),
            "timeline": events_for(library, user),
            "status_changes": library.status_changes.select_related("recorded_by")[:20],
            "can_change": has_perm(user, "libraries.library:change", library),
            "can_change_status": has_perm(
                user, "libraries.library:change_status", library
            ),
            "can_change_staff": has_perm(user, "libraries.staff:change", library),
            "can_audit": has_perm(user, "core.audit:view", library),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    library = _library(request, pk, "libraries.library:change")
    identity = has_perm(request.user, "libraries.library:change_identity", library)
    form = LibraryForm(
        request.POST or None,
        instance=library,
        user=request.user,
        can_change_identity=identity,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_library(
                library=library, actor=request.user, data=form.service_data()
            )
        except (ValidationError, DomainError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The library was saved."))
            return redirect("libraries:detail", pk=library.pk)
    return render(request, "libraries/edit.html", {"form": form, "library": library})


@login_required
@require_http_methods(["GET", "POST"])
def library_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "libraries.library:create")
    form = NewLibraryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            library = services.create_library(
                actor=request.user, municipality=data.pop("municipality"), data=data
            )
        except (ValidationError, DomainError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The library was added to the register."))
            return redirect("libraries:detail", pk=library.pk)
    return render(request, "libraries/edit.html", {"form": form, "library": None})


@login_required
@require_http_methods(["GET", "POST"])
def library_status(request: HttpRequest, pk: int) -> HttpResponse:
    library = _library(request, pk, "libraries.library:change_status")
    form = StatusForm(
        request.POST or None, initial={"effective_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_library_status(
                library=library, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("libraries:detail", pk=library.pk)
    return render(request, "libraries/status.html", {"form": form, "library": library})


@login_required
@require_GET
def library_history(request: HttpRequest, pk: int) -> HttpResponse:
    library = _library(request, pk, "core.audit:view")
    entries = AuditEntry.objects.filter(library_id=library.pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "libraries/history.html", {"library": library, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(
    request: HttpRequest, pk: int, staff_pk: int | None = None
) -> HttpResponse:
    library = _library(request, pk, "libraries.staff:change")
    member = None
    if staff_pk is not None:
        member = get_object_for_user(
            request.user,
            StaffMember.objects.select_related("library__municipality").filter(
                library=library
            ),
            "libraries.staff:change",
            pk=staff_pk,
        )
    form = StaffForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            if member is None:
                services.add_staff_member(
                    library=library, actor=request.user, data=form.cleaned_data
                )
            else:
                services.update_staff_member(
                    member=member, actor=request.user, data=form.cleaned_data
                )
        except (ValidationError, DomainError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The staff record was saved."))
            return redirect("libraries:detail", pk=library.pk)
    return render(
        request,
        "libraries/staff_form.html",
        {"form": form, "library": library, "member": member},
    )


@login_required
@require_POST
def staff_delete(request: HttpRequest, pk: int, staff_pk: int) -> HttpResponse:
    library = _library(request, pk, "libraries.staff:change")
    member = get_object_for_user(
        request.user,
        StaffMember.objects.select_related("library__municipality").filter(
            library=library
        ),
        "libraries.staff:change",
        pk=staff_pk,
    )
    services.remove_staff_member(member=member, actor=request.user)
    messages.success(request, _("The staff record was removed."))
    return redirect("libraries:detail", pk=library.pk)


@login_required
@require_GET
def library_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if not has_perm(request.user, "libraries.library:export"):
        raise PermissionDenied
    register = RegisterFilter.from_params(request.GET)
    libraries = register.apply(Library.objects.visible_to(request.user).with_place())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(libraries.iterator(chunk_size=2000)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="register-{stamp}.csv"'
        return response
    content = exports.xlsx_bytes(
        libraries.iterator(chunk_size=2000), title=_("Register")
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="register-{stamp}.xlsx"'
    return response
