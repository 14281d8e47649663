from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.core.spreadsheets import read_upload
from methodica.libraries.models import District
from methodica.reporting import design, services
from methodica.reporting.consolidation import municipalities_for
from methodica.reporting.forms import OpenCampaignForm, ReopenForm, cells_from_post
from methodica.reporting.models import Campaign, Mark, Report, ReportValue
from methodica.reporting.peers import peer_flags
from methodica.reporting.reading import previous_values, report_values
from methodica.reporting.spreadsheet import build_template
from methodica.reporting.validation import HARD, check_report


def _report(request: HttpRequest, pk: int) -> Report:
    return get_object_for_user(
        request.user,
        Report.objects.select_related("campaign__form", "library__municipality"),
        "reporting.report:view",
        pk=pk,
    )


def _campaign(request: HttpRequest, pk: int, perm: str) -> Campaign:
    return get_object_for_user(
        request.user, Campaign.objects.select_related("form"), perm, pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def reports_home(request: HttpRequest) -> HttpResponse:
    """Campaigns for methodologists; a reporter's own reports."""
    district = District.objects.home_of(request.user)
    can_open = district is not None and has_perm(
        request.user, "reporting.campaign:manage", district
    )
    form = OpenCampaignForm(request.POST or None)
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied
        if form.is_valid():
            try:
                report_form = design.form_for_campaign(
                    actor=request.user,
                    district=district,
                    year=form.cleaned_data["year"],
                )
                campaign = services.open_campaign(
                    actor=request.user,
                    form=report_form,
                    deadline=form.cleaned_data["deadline"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The campaign is open."))
                return redirect("reporting:board", pk=campaign.pk)
    campaigns = Campaign.objects.none()
    if has_perm(request.user, "reporting.report:review"):
        campaigns = Campaign.objects.select_related("form").filter(
            form__district__in=District.objects.filter(
                municipalities__libraries__in=Report.objects.visible_to(
                    request.user
                ).values("library_id")
            ).distinct()
        )
    own = (
        Report.objects.visible_to(request.user)
        .select_related("campaign__form", "library")
        .order_by("-campaign__form__year", "library__name")[:50]
    )
    return render(
        request,
        "reporting/home.html",
        {
            "campaigns": campaigns,
            "own": own,
            "form": form if can_open else None,
            "can_design": district is not None
            and has_perm(request.user, "reporting.form:design", district),
            "active_nav": "reports",
        },
    )


@login_required
@require_GET
def campaign_board(request: HttpRequest, pk: int) -> HttpResponse:
    """Every report of the campaign by municipality: status and how complete."""
    campaign = Campaign.objects.select_related("form").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if not has_perm(request.user, "reporting.report:review"):
        raise PermissionDenied
    reports = Report.objects.visible_to(request.user).filter(campaign=campaign)
    summary: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"statuses": {}, "total": 0}
    )
    for name, status, count, complete in (
        reports.values_list("library__municipality__name", "status")
        .annotate(count=Count("id"), complete=Avg("completeness"))
        .order_by("library__municipality__name")
    ):
        row = summary[name]
        row["statuses"][status] = count
        row["total"] += count
        row["complete"] = round(complete or 0)
    listed = reports.select_related("library__municipality").order_by(
        "library__municipality__name", "library__name"
    )
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        listed = listed.filter(status=status)
    return render(
        request,
        "reporting/board.html",
        {
            "campaign": campaign,
            "summary": dict(summary),
            "reports": listed,
            "statuses": Report.Status.choices,
            "status": status,
            "active_nav": "reports",
            "can_consolidate": bool(
                municipalities_for(request.user, campaign.form.district_id)
            ),
            "can_manage": has_perm(request.user, "reporting.campaign:manage", campaign),
        },
    )


def _report_context(
    request: HttpRequest,
    report: Report,
    *,
    errors: dict[str, str] | None = None,
    posted: Any = None,
) -> dict[str, Any]:
    form = report.campaign.form
    indicators = list(form.indicators.select_related("section"))
    stored = {
        v.indicator.code: v
        for v in ReportValue.objects.filter(report=report).select_related("indicator")
    }
    values = report_values(report)
    previous = previous_values(report)
    findings = check_report(
        indicators,
        form.rules.filter(active=True),
        values,
        previous,
        change_threshold=report.campaign.change_threshold,
    )
    by_code: dict[str, list] = defaultdict(list)
    for finding in findings:
        for code in finding.indicators:
            by_code[code].append(finding)
    comments: dict[str | None, list] = defaultdict(list)
    for comment in report.comments.select_related("indicator", "author"):
        comments[comment.indicator.code if comment.indicator else None].append(comment)
    sections: dict[Any, list] = defaultdict(list)
    for indicator in indicators:
        value = stored.get(indicator.code)
        text = (
            ""
            if value is None
            else (
                value.text
                or (
                    format(value.number.normalize(), "f")
                    if value.number is not None
                    else ""
                )
            )
        )
        if posted is not None and f"v_{indicator.code}" in posted:
            text = posted.get(f"v_{indicator.code}", "")
        sections[indicator.section].append(
            {
                "indicator": indicator,
                "text": text,
                "mark": value.mark if value else "",
                "previous": previous.get(indicator.code),
                "findings": by_code.get(indicator.code, []),
                "comments": comments.get(indicator.code, []),
                "error": (errors or {}).get(indicator.code),
            }
        )
    user = request.user
    justified = dict(report.justifications.values_list("rule_code", "text"))
    return {
        "report": report,
        "sections": dict(sections),
        "findings": findings,
        "hard": [f for f in findings if f.severity == HARD],
        "soft": [f for f in findings if f.severity != HARD],
        "justified": justified,
        "general_comments": comments.get(None, []),
        "marks": Mark.choices,
        "can_edit": report.is_editable
        and has_perm(user, "reporting.report:edit", report),
        "can_submit": report.status in (Report.Status.DRAFT, Report.Status.RETURNED)
        and has_perm(user, "reporting.report:submit", report),
        "can_review": report.status == Report.Status.SUBMITTED
        and has_perm(user, "reporting.report:review", report),
        "can_reopen": report.status == Report.Status.ACCEPTED
        and has_perm(user, "reporting.report:reopen", report),
        "can_allow_late": report.is_editable
        and has_perm(user, "reporting.campaign:manage", report.campaign),
        "peer_flags": peer_flags(report)
        if report.status == Report.Status.SUBMITTED
        and has_perm(user, "reporting.report:review", report)
        else [],
        "errors": errors or {},
        "active_nav": "reports",
        "reopen_form": ReopenForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        codes = list(report.campaign.form.indicators.values_list("code", flat=True))
        revision = request.POST.get("revision", "")
        try:
            report, _findings, errors = services.save_report(
                report=report,
                actor=request.user,
                cells=cells_from_post(request.POST, codes),
                revision=int(revision) if revision.isdecimal() else -1,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if not errors and not request.headers.get("HX-Request"):
                messages.success(request, _("Saved."))
                return redirect("reporting:report", pk=report.pk)
    context = _report_context(
        request, report, errors=errors, posted=request.POST if errors else None
    )
    if request.headers.get("HX-Request"):
        # The new revision and the recomputed formula cells go out of band.
        context["oob"] = True
        return render(request, "reporting/_report_status.html", context)
    return render(request, "reporting/report.html", context)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    justifications = {
        key[2:]: value for key, value in request.POST.items() if key.startswith("j_")
    }
    try:
        services.submit_report(
            report=report, actor=request.user, justifications=justifications
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The report was submitted to the regional library.")
        )
    return redirect("reporting:report", pk=report.pk)


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        if request.POST.get("decision") == "accept":
            services.accept_report(report=report, actor=request.user)
            messages.success(request, _("The report was accepted."))
        else:
            comments = {
                key[2:]: value
                for key, value in request.POST.items()
                if key.startswith("c_")
            }
            services.return_report(
                report=report,
                actor=request.user,
                comments=comments,
                general=request.POST.get("general", ""),
            )
            messages.success(request, _("The report was returned with your comments."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reporting:report", pk=report.pk)


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Give the reason for reopening."))
        services.reopen_report(
            report=report, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report was reopened."))
    return redirect("reporting:report", pk=report.pk)


@login_required
@require_GET
def report_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's Excel template, filled with what is already known."""
    report = _report(request, pk)
    response = HttpResponse(
        build_template(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"report-{report.campaign.form.year}-{report.library_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def report_template_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    upload = request.FILES.get("file")
    rejected = None
    try:
        if upload is None:
            raise DomainError(_("Choose the filled template to upload."))
        data = read_upload(upload, max_bytes=settings.METHODICA_MAX_UPLOAD_BYTES)
        services.import_template(actor=request.user, data=data, report=report)
    except services.TemplateRejected as exc:
        rejected = exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The template was saved."))
        return redirect("reporting:report", pk=report.pk)
    if rejected is None:
        return redirect("reporting:report", pk=report.pk)
    context = _report_context(request, report)
    context["template_rejected"] = rejected
    return render(request, "reporting/report.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A methodologist uploads a zip of filled templates from many libraries."""
    campaign = Campaign.objects.select_related("form").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if not has_perm(request.user, "reporting.report:review"):
        raise PermissionDenied
    results = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("Choose a zip file."))
            data = read_upload(
                upload, max_bytes=settings.METHODICA_MAX_UPLOAD_BYTES * 5
            )
            results = services.import_templates_zip(
                actor=request.user,
                campaign=campaign,
                data=data,
                max_file_bytes=settings.METHODICA_MAX_UPLOAD_BYTES,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "reporting/campaign_upload.html",
        {"campaign": campaign, "results": results, "active_nav": "reports"},
    )


@login_required
@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "reporting.campaign:manage")
    count = services.send_reminders(
        actor=request.user,
        campaign=campaign,
        url_for=lambda report_id: request.build_absolute_uri(
            reverse("reporting:report", args=[report_id])
        ),
    )
    messages.success(
        request,
        _("Reminders are on their way to %(count)s libraries.") % {"count": count},
    )
    return redirect("reporting:board", pk=campaign.pk)


@login_required
@require_POST
def report_allow_late(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        until = datetime.date.fromisoformat(request.POST.get("until", ""))
        services.allow_late_report(report=report, actor=request.user, until=until)
    except ValueError:
        messages.error(request, _("Give a valid date."))
    else:
        messages.success(
            request,
            _("A late report is allowed until %(date)s.") % {"date": until.isoformat()},
        )
    return redirect("reporting:report", pk=report.pk)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk, "reporting.campaign:manage")
    try:
        services.close_campaign(actor=request.user, campaign=campaign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The year is closed; its accepted totals are open data.")
        )
    return redirect("reporting:board", pk=campaign.pk)
