"""The help home page and the consultation log."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm, require_perm
from methodica.libraries.models import District, Library, Municipality
from methodica.support import exports, services
from methodica.support.forms import ConsultationForm
from methodica.support.models import Consultation, Recommendation, Topic, Visit
from methodica.support.queries import ConsultationFilter, completeness

PAGE_SIZE = 50
SESSION_CHANNEL = "support.last_channel"
SESSION_TOPIC = "support.last_topic"


def form_error(form: Any, exc: DomainError) -> None:
    """Put a service's refusal on the form, on its field where it names one."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def home_district(user: Any) -> District | None:
    """The district whose help the user works with (one per user in practice)."""
    return District.objects.serving(user).first()


def district_or_404(user: Any) -> District:
    district = home_district(user)
    if district is None:
        raise Http404
    return district


def seeded_district_or_404(user: Any) -> District:
    """The user's district with its default taxonomies seeded.

    Call only after the permission check: seeding writes on the first visit (once
    per district; a concurrent first visit is harmless, see ``ensure_defaults``).
    """
    district = district_or_404(user)
    services.ensure_defaults(district)
    return district


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the form posted, if it is a path on this site; else ``fallback``
    (a view name). A path, not a name: ``redirect`` would try to reverse it."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "support.consultation:view")
    today = timezone.localdate()
    answers = has_perm(user, "support.request:answer")
    questions = Consultation.objects.visible_to(user).filter(
        origin=Consultation.Origin.REQUEST
    )
    open_questions = questions.filter(status=Consultation.Status.OPEN)
    oldest = open_questions.aggregate(oldest=Min("waiting_since"))["oldest"]
    visits = Visit.objects.visible_to(user).select_related("library")
    recommendations = Recommendation.objects.visible_to(user).still_open()
    context = {
        "answers": answers,
        "can_log": has_perm(user, "support.consultation:log"),
        "can_ask": has_perm(user, "support.request:ask"),
        "can_manage_visits": has_perm(user, "support.visit:manage"),
        "can_manage_taxonomy": has_perm(user, "support.taxonomy:manage"),
        "open_count": open_questions.count(),
        "oldest": oldest,
        "follow_ups": Consultation.objects.visible_to(user)
        .filter(owner=user, follow_up=True, follow_up_done_on__isnull=True)
        .select_related("library")[:10],
        "planned": visits.filter(
            status=Visit.Status.PLANNED,
            planned_for__range=(today, today + datetime.timedelta(days=30)),
        ).order_by("planned_for")[:20],
        "overdue_count": recommendations.filter(due_on__lt=today).count(),
        "open_recommendations": recommendations.select_related("library")[:10],
        "threads": None
        if answers
        else questions.select_related("library").order_by("-updated_at")[:10],
    }
    return render(request, "support/home.html", {**context, "active_nav": "help"})


def _remembered(request: HttpRequest, district: District) -> dict[str, Any]:
    """Today's date, and the channel and topic this methodologist used last."""
    initial: dict[str, Any] = {"given_on": timezone.localdate()}
    channel = request.session.get(SESSION_CHANNEL)
    if channel in Consultation.Channel.values:
        initial["channel"] = channel
    topic = request.session.get(SESSION_TOPIC)
    if (
        topic
        and Topic.objects.filter(pk=topic, district=district, active=True).exists()
    ):
        initial["topic"] = topic
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "support.consultation:log")
    district = seeded_district_or_404(request.user)
    form = ConsultationForm(
        request.POST or None,
        user=request.user,
        district=district,
        initial=_remembered(request, district),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_consultation(actor=request.user, district=district, data=data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            request.session[SESSION_CHANNEL] = data["channel"]
            request.session[SESSION_TOPIC] = data["topic"].pk if data["topic"] else None
            messages.success(request, _("The consultation was logged."))
            if "another" in request.POST:
                return redirect("support:consultation_new")
            return redirect("support:consultations")
    return render(
        request,
        "support/consultation_form.html",
        {"form": form, "consultation": None, "active_nav": "help"},
    )


def _consultation(request: HttpRequest, pk: int, perm: str) -> Consultation:
    return get_object_for_user(
        request.user,
        Consultation.objects.select_related("library__municipality", "district"),
        perm,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk, "support.consultation:log")
    if consultation.origin == Consultation.Origin.REQUEST:
        return redirect("support:question", pk=pk)
    form = ConsultationForm(
        request.POST or None,
        user=request.user,
        district=consultation.district,
        initial=ConsultationForm.initial_for(consultation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_consultation(
                actor=request.user, consultation=consultation, data=form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The consultation was saved."))
            return redirect("support:consultations")
    return render(
        request,
        "support/consultation_form.html",
        {"form": form, "consultation": consultation, "active_nav": "help"},
    )


@login_required
@require_POST
def consultation_followed_up(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk, "support.consultation:log")
    try:
        services.mark_follow_up_done(actor=request.user, consultation=consultation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The follow-up was recorded."))
    return HttpResponseRedirect(safe_next(request, "support:consultations"))


def _filtered(request: HttpRequest) -> tuple[ConsultationFilter, Any]:
    chosen = ConsultationFilter.from_params(request.GET)
    queryset = chosen.apply(
        Consultation.objects.visible_to(request.user)
        .select_related("library__municipality", "topic", "owner")
        .defer("library__municipality__boundary")
    )
    return chosen, queryset


@login_required
@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_perm(user, "support.consultation:view")
    chosen, consultations = _filtered(request)
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    visible = Consultation.objects.visible_to(user)
    context = {
        "page": page,
        "filter": chosen,
        "query": params.urlencode(),
        "figures": completeness(consultations),
        "channels": Consultation.Channel.choices,
        "municipalities": Municipality.objects.visible_to(user),
        "libraries": Library.objects.visible_to(user).only("id", "name"),
        "topics": Topic.objects.filter(
            district__in=District.objects.serving(user)
        ).order_by("position", "id"),
        "methodologists": get_user_model()
        .objects.filter(pk__in=visible.values("owner_id"))
        .order_by("username"),
        "can_log": has_perm(user, "support.consultation:log"),
        "active_nav": "help",
    }
    return render(request, "support/consultation_list.html", context)


@login_required
@require_GET
def consultation_export(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "support.consultation:log"):
        raise PermissionDenied
    _chosen, consultations = _filtered(request)
    title = _("Consultations")
    response = HttpResponse(
        exports.xlsx_bytes(consultations.iterator(chunk_size=500), title=title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="consultations.xlsx"'
    return response
