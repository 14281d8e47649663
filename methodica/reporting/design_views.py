"""The form designer's pages: forms by year, one form's sections, indicators and
rules, and a campaign's thresholds. Only the district administrator
(``reporting.form:design``) gets here; anyone else gets a 403 on the list and a 404
on a form, so nobody learns which forms exist."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.libraries.models import District
from methodica.libraries.queries import parse_id
from methodica.reporting import design, services, thresholds
from methodica.reporting.design_forms import (
    CopyForm,
    IndicatorForm,
    RuleForm,
    SectionForm,
    ThresholdsForm,
)
from methodica.reporting.models import Campaign, ReportForm

DESIGN = "reporting.form:design"
CHANGE_STEPS = [Decimal(p) / 100 for p in (25, 50, 75, 100, 200)]
PEER_STEPS = [2.5, 3.5, 5.0]


def _form(request: HttpRequest, pk: int) -> ReportForm:
    return get_object_for_user(
        request.user,
        ReportForm.objects.select_related("district", "based_on"),
        DESIGN,
        pk=pk,
    )


def _refused(form: Any, exc: DomainError) -> None:
    """Put a service's refusal on the field it names, else on the whole form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def form_list(request: HttpRequest) -> HttpResponse:
    """The district's forms by year; copy one to another year."""
    district = District.objects.home_of(request.user)
    if district is None or not has_perm(request.user, DESIGN, district):
        raise PermissionDenied
    forms_of_district = (
        ReportForm.objects.filter(district=district)
        .select_related("campaign")
        .annotate(
            indicator_count=Count("indicators", distinct=True),
            rule_count=Count("rules", distinct=True),
        )
        .order_by("-year")
    )
    copy = CopyForm(request.POST or None, forms_of_district=forms_of_district)
    if request.method == "POST" and copy.is_valid():
        try:
            new = design.copy_form(
                actor=request.user,
                form=copy.cleaned_data["source"],
                year=copy.cleaned_data["year"],
            )
        except DomainError as exc:
            _refused(copy, exc)
        else:
            messages.success(
                request,
                _("The form for %(year)s was created as a draft.") % {"year": new.year},
            )
            return redirect("reporting:design_form", pk=new.pk)
    return render(
        request,
        "reporting/design/forms.html",
        {"forms": forms_of_district, "copy": copy, "active_nav": "reports"},
    )


@login_required
@require_POST
def form_default(request: HttpRequest) -> HttpResponse:
    """Start a year from the default form."""
    district = District.objects.home_of(request.user)
    if district is None or not has_perm(request.user, DESIGN, district):
        raise PermissionDenied
    year = request.POST.get("year", "")
    try:
        if not year.isdecimal() or not 2000 <= int(year) <= 2100:
            raise DomainError(_("Give a year between 2000 and 2100."))
        form = services.create_default_form(
            actor=request.user, district=district, year=int(year)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:design_forms")
    return redirect("reporting:design_form", pk=form.pk)


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request, pk)
    sections = list(form.sections.prefetch_related("indicators__replaces__form"))
    campaign = Campaign.objects.filter(form=form).first()
    return render(
        request,
        "reporting/design/form.html",
        {
            "form": form,
            "sections": sections,
            "rules": list(form.rules.all()),
            "campaign": campaign,
            "has_reports": campaign is not None,
            "active_nav": "reports",
        },
    )


@login_required
@require_POST
def form_publish(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request, pk)
    try:
        design.publish_form(actor=request.user, form=form)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The form is in use: a campaign can be opened on it.")
        )
    return redirect("reporting:design_form", pk=form.pk)


def _done(request: HttpRequest, form: ReportForm, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("reporting:design_form", pk=form.pk)


def _edit_page(
    request: HttpRequest, form: ReportForm, edit: Any, title: str
) -> HttpResponse:
    """The page of one edit form; 400 when a posted form was refused."""
    return render(
        request,
        "reporting/design/edit.html",
        {"form": form, "edit": edit, "title": title, "active_nav": "reports"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(
    request: HttpRequest, pk: int, section_pk: int | None = None
) -> HttpResponse:
    form = _form(request, pk)
    section = get_object_or_404(form.sections, pk=section_pk) if section_pk else None
    edit = SectionForm.for_section(section, request.POST or None)
    if request.method == "POST" and edit.is_valid():
        try:
            design.save_section(
                actor=request.user,
                form=form,
                section=section,
                code=edit.cleaned_data["code"],
                names=edit.names(),
            )
        except DomainError as exc:
            _refused(edit, exc)
        else:
            return _done(request, form, _("The section was saved."))
    return _edit_page(
        request, form, edit, _("Section") if section else _("New section")
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(
    request: HttpRequest, pk: int, indicator_pk: int | None = None
) -> HttpResponse:
    form = _form(request, pk)
    indicator = (
        get_object_or_404(form.indicators, pk=indicator_pk) if indicator_pk else None
    )
    section = form.sections.filter(pk=parse_id(request.GET.get("section", ""))).first()
    edit = IndicatorForm.for_indicator(
        form, indicator, request.POST or None, section=section
    )
    if request.method == "POST" and edit.is_valid():
        try:
            design.save_indicator(
                actor=request.user,
                form=form,
                indicator=indicator,
                data=edit.data_for_service(),
            )
        except DomainError as exc:
            _refused(edit, exc)
        else:
            return _done(request, form, _("The indicator was saved."))
    return _edit_page(
        request, form, edit, indicator.name if indicator else _("New indicator")
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(
    request: HttpRequest, pk: int, rule_pk: int | None = None
) -> HttpResponse:
    form = _form(request, pk)
    rule = get_object_or_404(form.rules, pk=rule_pk) if rule_pk else None
    edit = RuleForm.for_rule(rule, request.POST or None)
    edit.fields["expression"].widget.attrs.update(
        {
            "hx-post": reverse("reporting:design_rule_check", args=[form.pk]),
            "hx-trigger": "input changed delay:600ms",
            "hx-target": "#expression-check",
            "aria-controls": "expression-check",
        }
    )
    if request.method == "POST" and edit.is_valid():
        try:
            design.save_rule(
                actor=request.user,
                form=form,
                rule=rule,
                code=edit.cleaned_data["code"],
                expression=edit.cleaned_data["expression"],
                severity=edit.cleaned_data["severity"],
                messages=edit.messages(),
                active=edit.cleaned_data["active"],
            )
        except DomainError as exc:
            _refused(edit, exc)
        else:
            return _done(request, form, _("The rule was saved."))
    return render(
        request,
        "reporting/design/edit.html",
        {
            "form": form,
            "edit": edit,
            "title": rule.code if rule else _("New rule"),
            "codes": list(form.indicators.values_list("code", flat=True)),
            "live_check": True,
            "active_nav": "reports",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def rule_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The rule form's live check of the condition, as the administrator types."""
    form = _form(request, pk)
    expression = request.POST.get("expression", "")
    return render(
        request,
        "reporting/design/_rule_check.html",
        {
            "problem": design.rule_problem(form, expression)
            if expression.strip()
            else None,
            "empty": not expression.strip(),
        },
    )


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """Move or remove a section, an indicator or a rule (buttons on the form page)."""
    form = _form(request, pk)
    action = request.POST.get("action", "")
    step = {"up": -1, "down": 1}.get(action)
    try:
        if kind == "section":
            section = get_object_or_404(form.sections, pk=item_pk)
            if step:
                design.move_section(actor=request.user, section=section, step=step)
            elif action == "remove":
                design.remove_section(actor=request.user, section=section)
        elif kind == "indicator":
            indicator = get_object_or_404(form.indicators, pk=item_pk)
            if step:
                design.move_indicator(
                    actor=request.user, indicator=indicator, step=step
                )
            elif action == "remove":
                design.remove_indicator(actor=request.user, indicator=indicator)
        else:
            rule = get_object_or_404(form.rules, pk=item_pk)
            if action == "remove":
                design.remove_rule(actor=request.user, rule=rule)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if action == "remove":
            messages.success(request, _("Removed."))
    return redirect("reporting:design_form", pk=form.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    """When a report warns, with how many warnings each choice gives today."""
    campaign = get_object_for_user(
        request.user,
        Campaign.objects.select_related("form"),
        "reporting.campaign:manage",
        pk=pk,
    )
    edit = ThresholdsForm(
        request.POST or None,
        initial={
            "change_percent": (campaign.change_threshold * 100).quantize(Decimal(1)),
            "peer_threshold": campaign.peer_threshold,
        },
    )
    if request.method == "POST" and edit.is_valid():
        try:
            thresholds.set_thresholds(
                actor=request.user,
                campaign=campaign,
                change_threshold=edit.cleaned_data["change_percent"] / 100,
                peer_threshold=edit.cleaned_data["peer_threshold"],
            )
        except DomainError as exc:
            _refused(edit, exc)
        else:
            messages.success(request, _("The thresholds were saved."))
            return redirect("reporting:thresholds", pk=campaign.pk)
    change_steps = sorted({*CHANGE_STEPS, campaign.change_threshold})
    peer_steps = sorted({*PEER_STEPS, float(campaign.peer_threshold)})
    changes = thresholds.change_warnings(campaign, change_steps)
    peers = thresholds.peer_warnings(campaign, peer_steps)
    return render(
        request,
        "reporting/design/thresholds.html",
        {
            "campaign": campaign,
            "edit": edit,
            "change_rows": [
                (int(t * 100), changes[t], t == campaign.change_threshold)
                for t in change_steps
            ],
            "peer_rows": [
                (t, peers[t], t == float(campaign.peer_threshold)) for t in peer_steps
            ],
            "active_nav": "reports",
        },
    )
