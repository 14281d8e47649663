"""Which period and area a request asks for, and whether the user may see it.

The area is the user's district, or one municipality of it: a methodologist scoped
to a municipality gets theirs, and a URL naming another municipality is a 404 (the
answer does not tell which municipalities exist). A membership scoped to one library
grants no area at all: the figures are of districts and municipalities, and one
library's help would show another library's in the same totals.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodica.activity.reach import Area, Period
from methodica.core.permissions import (
    ROLE_PERMISSIONS,
    get_object_for_user,
    has_perm,
    memberships_of,
)
from methodica.libraries.models import District, Municipality

PERM = "activity.reach:view"


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The period must end on or after the day it starts.")
            )
        return data


def _grants_area(user: Any) -> bool:
    """Whether the user holds the permission for a district or a municipality
    (never through a library membership alone)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        PERM in ROLE_PERMISSIONS[m.role]
        and (m.district_id is not None or m.municipality_id is not None)
        for m in memberships_of(user)
    )


def allowed_municipalities(user: Any) -> QuerySet[Municipality]:
    """The municipalities whose figures the user may see: those of their districts
    and their own municipalities; a library membership adds none."""
    if not _grants_area(user):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.order_by("name")
    districts, municipalities = set(), set()
    for m in memberships_of(user):
        if PERM in ROLE_PERMISSIONS[m.role]:
            if m.district_id is not None:
                districts.add(m.district_id)
            elif m.municipality_id is not None:
                municipalities.add(m.municipality_id)
    return Municipality.objects.filter(
        Q(district_id__in=sorted(districts)) | Q(pk__in=sorted(municipalities))
    ).order_by("name")


def area_for(user: Any, municipality_id: str | None) -> Area:
    """The area the user asked for (``?municipality=``) or their own; 403 for a user
    without the permission for a district or a municipality (a library-scoped
    membership grants no area), 404 for a municipality they may not see."""
    if not _grants_area(user):
        raise PermissionDenied
    if municipality_id:
        if not municipality_id.isdigit():
            raise Http404
        municipality = get_object_for_user(
            user,
            Municipality.objects.select_related("district").defer("boundary"),
            PERM,
            pk=int(municipality_id),
        )
        return Area(municipality.district, municipality)
    district = District.objects.home_of(user)
    if district is not None and has_perm(user, PERM, district):
        return Area(district)
    municipality = allowed_municipalities(user).select_related("district").first()
    if municipality is None:
        raise PermissionDenied
    return Area(municipality.district, municipality)


def period_for(params: QueryDict) -> tuple[Period, PeriodForm]:
    """``?year=`` or ``?start=&end=`` (ISO dates); a calendar year by default."""
    year = params.get("year", "")
    today = timezone.localdate()
    default = Period.year(
        int(year) if year.isdigit() and 1900 < int(year) < 3000 else today.year
    )
    form = PeriodForm(
        params if ("start" in params or "end" in params) else None,
        initial={"start": default.start, "end": default.end},
    )
    if not form.is_bound or not form.is_valid():
        return default, form
    start = form.cleaned_data["start"] or default.start
    end = form.cleaned_data["end"] or max(start, default.end)
    return Period(start, end), form


def year_period(year: int) -> Period:
    if not 1900 < year < 3000:
        raise Http404
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
