"""Librarians' training records: the list of people, one person's record, and a
user's own ("My training")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from methodica.core.permissions import has_perm
from methodica.libraries.models import StaffMember
from methodica.training import records
from methodica.training.forms import PeopleFilterForm


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """The librarians the user may see, with their hours this year."""
    if not has_perm(request.user, "training.record:view"):
        raise PermissionDenied
    year = timezone.localdate().year
    form = PeopleFilterForm(request.GET or None, user=request.user)
    staff = records.record_staff(request.user).select_related("library__municipality")
    if form.is_valid():
        data = form.cleaned_data
        if data["municipality"]:
            staff = staff.filter(library__municipality=data["municipality"])
        if data["library"]:
            staff = staff.filter(library=data["library"])
        if data["qualification"]:
            staff = staff.filter(
                has_library_qualification=data["qualification"] == "yes"
            )
    staff = records.with_hours_in(staff, year).order_by("full_name", "id")
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "training/people.html",
        {
            "page": page,
            "form": form,
            "year": year,
            "query": params.urlencode(),
            "active_nav": "training",
        },
    )


def _record_context(staff: StaffMember) -> dict[str, Any]:
    return {
        "staff": staff,
        "hours_by_year": records.hours_by_year(staff),
        "courses": records.attended(staff),
        "certificates": records.certificates(staff),
        "active_nav": "training",
    }


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    staff = (
        records.record_staff(request.user)
        .select_related("library__municipality")
        .filter(pk=pk)
        .first()
    )
    if staff is None:
        raise Http404
    return render(request, "training/person.html", _record_context(staff))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The training of the staff records linked to the user's account."""
    own = request.user.staff_records.select_related("library")
    return render(
        request,
        "training/mine.html",
        {
            "records": [_record_context(staff) for staff in own],
            "active_nav": "training",
        },
    )
