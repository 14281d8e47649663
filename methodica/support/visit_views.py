"""Visits: planning, recording, the report, and following recommendations up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm, require_perm
from methodica.libraries.models import Library, Municipality
from methodica.reporting.pdf import FontsMissing
from methodica.support import pdf, queries, services
from methodica.support.forms import (
    CancelForm,
    FindingFormSet,
    RecommendationFormSet,
    RecommendationUpdateForm,
    VisitPlanForm,
    VisitRecordForm,
)
from methodica.support.models import ChecklistItem, Recommendation, Visit
from methodica.support.views import PAGE_SIZE, form_error
from methodica.support.visits import (
    FindingInput,
    RecommendationInput,
    report_recipients,
)


def _visit(request: HttpRequest, pk: int, perm: str = "support.visit:view") -> Visit:
    return get_object_for_user(
        request.user,
        Visit.objects.select_related(
            "library__municipality__district", "methodologist"
        ).defer("library__municipality__boundary"),
        perm,
        pk=pk,
    )


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "query": params.urlencode(),
        "municipalities": Municipality.objects.visible_to(request.user),
        "libraries": Library.objects.visible_to(request.user).only("id", "name"),
        "active_nav": "help",
    }


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "support.visit:view")
    chosen = queries.VisitFilter.from_params(request.GET)
    visits = chosen.apply(
        Visit.objects.visible_to(request.user)
        .select_related("library__municipality", "methodologist")
        .defer("library__municipality__boundary")
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    recommendations = Recommendation.objects.visible_to(request.user)
    return render(
        request,
        "support/visit_list.html",
        {
            **_filter_context(request),
            "page": page,
            "filter": chosen,
            "statuses": Visit.Status.choices,
            "overdue": queries.overdue_count(recommendations),
            "can_manage": has_perm(request.user, "support.visit:manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "support.visit:manage")
    form = VisitPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.plan_visit(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The visit was planned."))
            return redirect("support:visit", pk=visit.pk)
    return render(
        request, "support/visit_plan.html", {"form": form, "active_nav": "help"}
    )


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    return render(
        request,
        "support/visit_detail.html",
        {
            "visit": visit,
            "findings": visit.findings.select_related("item"),
            "recommendations": visit.recommendations.select_related("closed_by"),
            "can_manage": has_perm(request.user, "support.visit:manage", visit),
            "active_nav": "help",
        },
    )


def _finding_initial(visit: Visit) -> list[dict[str, Any]]:
    """A row per active checklist item, and per retired one this visit rated
    (so that correcting the record does not drop its finding)."""
    existing = {f.item_id: f for f in visit.findings.all()}
    items = ChecklistItem.objects.filter(
        Q(active=True) | Q(pk__in=list(existing)),
        district_id=visit.library.municipality.district_id,
    )
    rows = []
    for item in items:
        finding = existing.get(item.pk)
        rows.append(
            {
                "item": item.pk,
                "label": item.name,
                "rating": finding.rating if finding else "not_seen",
                "note": finding.note if finding else "",
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """All or nothing: the visit, a finding per checklist item, recommendations."""
    visit = _visit(request, pk, "support.visit:manage")
    services.ensure_defaults(visit.library.municipality.district)
    initial = _finding_initial(visit)
    data = request.POST or None
    form = VisitRecordForm(
        data,
        initial={
            "visited_on": visit.visited_on or visit.planned_for,
            "met_with": visit.met_with,
            "summary": visit.summary,
        },
    )
    findings = FindingFormSet(
        data,
        initial=initial,
        prefix="finding",
        items=[row["item"] for row in initial],
    )
    recommendations = RecommendationFormSet(data, prefix="rec")
    if request.method == "POST" and _record(
        request, visit, form, findings, recommendations
    ):
        messages.success(request, _("The visit was recorded."))
        return redirect("support:visit", pk=visit.pk)
    labels = {row["item"]: row["label"] for row in initial}
    return render(
        request,
        "support/visit_record.html",
        {
            "visit": visit,
            "form": form,
            "findings": [
                (f, labels.get(f.initial.get("item"))) for f in findings.forms
            ],
            "findings_formset": findings,
            "recommendations": recommendations,
            "active_nav": "help",
        },
    )


def _record(
    request: HttpRequest,
    visit: Visit,
    form: Any,
    findings: Any,
    recommendations: Any,
) -> bool:
    if not (form.is_valid() and findings.is_valid() and recommendations.is_valid()):
        return False
    items = ChecklistItem.objects.in_bulk(
        [f.cleaned_data["item"] for f in findings.forms if f.cleaned_data]
    )
    try:
        services.record_visit(
            actor=request.user,
            visit=visit,
            **form.cleaned_data,
            findings=[
                FindingInput(
                    item=items[f.cleaned_data["item"]],
                    rating=f.cleaned_data["rating"],
                    note=f.cleaned_data["note"],
                )
                for f in findings.forms
                if f.cleaned_data
            ],
            recommendations=[
                RecommendationInput(
                    text=r.cleaned_data["text"], due_on=r.cleaned_data["due_on"]
                )
                for r in recommendations.forms
                if r.cleaned_data
            ],
        )
    except DomainError as exc:
        form_error(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk, "support.visit:manage")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_visit(
                actor=request.user, visit=visit, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The visit was cancelled."))
            return redirect("support:visits")
    return render(
        request,
        "support/visit_cancel.html",
        {"visit": visit, "form": form, "active_nav": "help"},
    )


@login_required
@require_GET
def visit_report(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    if visit.status != Visit.Status.DONE:
        raise Http404  # a planned or cancelled visit has no report
    try:
        document = pdf.visit_report(visit)
    except FontsMissing as exc:
        messages.error(request, exc.message)
        return redirect("support:visit", pk=pk)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(visit)}"'
    return response


@login_required
@require_POST
def visit_send_report(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk, "support.visit:manage")
    try:
        services.send_visit_report(actor=request.user, visit=visit)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The report will be emailed to %(to)s.")
            % {"to": ", ".join(report_recipients(visit))},
        )
    return redirect("support:visit", pk=pk)


@login_required
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """The open recommendations to follow up, soonest due first."""
    require_perm(request.user, "support.visit:view")
    chosen = queries.RecommendationFilter.from_params(request.GET)
    recommendations = chosen.apply(
        Recommendation.objects.visible_to(request.user)
        .still_open()
        .select_related("library__municipality", "visit")
        .defer("library__municipality__boundary")
    )
    page = Paginator(recommendations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "support/recommendation_list.html",
        {
            **_filter_context(request),
            "page": page,
            "filter": chosen,
            "can_manage": has_perm(request.user, "support.visit:manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_for_user(
        request.user,
        Recommendation.objects.select_related("library__municipality", "visit"),
        "support.visit:manage",
        pk=pk,
    )
    form = RecommendationUpdateForm(
        request.POST or None,
        initial={
            "status": recommendation.status,
            "progress_note": recommendation.progress_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_recommendation(
                actor=request.user, recommendation=recommendation, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The recommendation was updated."))
            return redirect("support:recommendations")
    return render(
        request,
        "support/recommendation_form.html",
        {"recommendation": recommendation, "form": form, "active_nav": "help"},
    )
