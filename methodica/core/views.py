from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from methodica.core.health import database_status, worker_status
from methodica.core.models import AuditEntry
from methodica.core.permissions import (
    ROLE_PERMISSIONS,
    has_perm,
    memberships_of,
    scope_q,
)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("libraries:list")
    return redirect("accounts:login")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; the worker's state is reported beside it."""
    database = database_status()
    worker = worker_status() if database["status"] == "ok" else {"status": "unknown"}
    healthy = database["status"] == "ok"
    body = {
        "status": "ok" if healthy else "down",
        "database": database,
        "worker": worker,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def visible_audit_entries(user) -> Q:
    """The audit entries ``user`` may read: the libraries in their audit scope.

    Entries about no library (a municipality, a user account) need the
    permission across a whole district.
    """
    from methodica.libraries.models import Library

    if user.is_superuser:
        return Q()
    libraries = Library.objects.filter(scope_q(user, "core.audit:view")).values("id")
    districts = [
        m.district_id
        for m in memberships_of(user)
        if m.district_id and "core.audit:view" in ROLE_PERMISSIONS[m.role]
    ]
    return Q(library_id__in=libraries) | Q(
        library_id__isnull=True, district_id__in=districts
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "core.audit:view"):
        raise PermissionDenied
    entries = AuditEntry.objects.filter(
        visible_audit_entries(request.user)
    ).select_related("content_type")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        entries = entries.filter(actor_repr__icontains=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "core/audit_log.html", {"page": page, "action": action, "actor": actor}
    )
