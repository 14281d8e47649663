"""Pages of the feedback surveys and certificates.

The answer page works without signing in: the token in its address is the right to
answer, once. Everything else is behind the permission engine: the questionnaires
(``training.survey:design``), results and comparison (``training.survey:results``),
sending and issuing (``training.session:manage``, ``training.certificate:issue``),
and a certificate's PDF (its holder, or ``training.record:view`` on their library).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.libraries.models import District
from methodica.training import certificates, survey_results, surveys
from methodica.training.feedback_forms import (
    AnswerForm,
    CompareFilter,
    SurveyForm,
    VerifyForm,
    question_formset,
    question_items,
)
from methodica.training.feedback_tasks import site_url
from methodica.training.models import Certificate, Enrolment, Programme, Session, Survey

DESIGN = "training.survey:design"
RESULTS = "training.survey:results"


def _district(request: HttpRequest, perm: str) -> District:
    district = District.objects.home_of(request.user)
    if district is None or not has_perm(request.user, perm, district):
        raise PermissionDenied
    return district


def _session(request: HttpRequest, pk: int, perm: str) -> Session:
    return get_object_for_user(
        request.user,
        Session.objects.select_related("course__programme__district", "survey"),
        perm,
        pk=pk,
    )


# --- questionnaires ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    """The district's questionnaires; POST makes the default one if it is missing."""
    district = _district(request, DESIGN)
    if request.method == "POST":
        surveys.ensure_default_survey(district=district, actor=request.user)
        messages.success(request, _("The default survey is ready."))
        return redirect("training:survey_list")
    rows = (
        Survey.objects.filter(district=district)
        .annotate(
            question_count=Count("questions", distinct=True),
            response_count=Count("responses", distinct=True),
        )
        .order_by("-is_default", "title", "id")
    )
    return render(
        request,
        "training/feedback/surveys.html",
        {"surveys": rows, "active_nav": "training"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    district = _district(request, DESIGN)
    survey = None
    if pk is not None:
        survey = get_object_for_user(request.user, Survey.objects, DESIGN, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = SurveyForm.for_survey(survey, data)
    formset = question_formset(survey, data)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = surveys.save_survey(
                actor=request.user,
                district=district,
                survey=survey,
                questions=question_items(formset),
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The survey was saved."))
            return redirect("training:survey_edit", pk=saved.pk)
    answered = survey is not None and survey.responses.exists()
    return render(
        request,
        "training/feedback/survey_edit.html",
        {
            "survey": survey,
            "form": form,
            "formset": formset,
            "answered": answered,
            "active_nav": "training",
        },
        status=400 if data is not None else 200,
    )


# --- sending -----------------------------------------------------------------------


@login_required
@require_POST
def send_feedback(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id, "training.session:manage")
    try:
        count = surveys.send_feedback(session=session, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The survey goes out to %(count)s participant(s).") % {"count": count},
        )
    return redirect("training:session", pk=session.pk)


@login_required
@require_POST
def issue_certificates(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id, "training.certificate:issue")
    try:
        issued = certificates.issue_certificates(session=session, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(count)s certificate(s) issued.") % {"count": len(issued)},
        )
    return redirect("training:session", pk=session.pk)


# --- answering ---------------------------------------------------------------------


def _answer_page(
    request: HttpRequest,
    ticket: Any,
    *,
    done_to: str,
    action: str = "",
    status: int = 200,
) -> HttpResponse:
    session = ticket.enrolment.session
    survey = surveys.survey_for(session)
    if survey is None:
        return _closed(request, _("This session has no feedback survey."))
    if surveys.is_closed(session):
        return _closed(request, surveys.closed_message(session))
    questions = list(survey.questions.all())
    form = AnswerForm(
        request.POST if request.method == "POST" else None, questions=questions
    )
    if request.method == "POST":
        try:
            surveys.submit_response(ticket=ticket, answers=form.answers())
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                return _closed(request, exc.message)
            status = 400
        else:
            return render(
                request, "training/feedback/thanks.html", {"done_to": done_to}
            )
    return render(
        request,
        "training/feedback/answer.html",
        {
            "form": form,
            "session": session,
            "survey": survey,
            "action": action,
            "enrolment_id": ticket.enrolment_id if action else None,
        },
        status=status,
    )


def _closed(request: HttpRequest, message: str, status: int = 410) -> HttpResponse:
    return render(
        request, "training/feedback/closed.html", {"message": message}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: no sign-in, the token is the right to answer once.

    Every answer, the closed and invalid pages too, says ``no-referrer``: the
    token in the address must not leak to the next page or a linked site.
    """
    ticket = surveys.ticket_for_token(token)
    if ticket is None:
        response = _closed(
            request,
            _("This survey link is not valid. Check that it was copied whole."),
            status=404,
        )
    elif ticket.used:
        response = _closed(
            request, _("This survey has already been answered. Thank you!")
        )
    else:
        response = _answer_page(request, ticket, done_to="")
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in librarian's pending surveys and their certificates."""
    owned = (
        Certificate.objects.filter(enrolment__staff__user=request.user)
        .select_related("enrolment__session")
        .order_by("-session_date", "id")
    )
    return render(
        request,
        "training/feedback/mine.html",
        {
            "pending": surveys.pending_for(request.user),
            "certificates": owned,
            "active_nav": "training",
        },
    )


def _answer_mine(request: HttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_id, staff__user=request.user)
        .select_related("session__course__programme", "session__survey")
        .first()
        if str(enrolment_id).isdecimal()
        else None
    )
    if enrolment is None:
        raise Http404
    try:
        ticket = surveys.ticket_for_enrolment(enrolment=enrolment, actor=request.user)
    except DomainError as exc:
        return _closed(request, exc.message, status=400)
    if ticket.used:
        return _closed(request, _("This survey has already been answered. Thank you!"))
    return _answer_page(
        request,
        ticket,
        done_to="training:feedback_mine",
        action=reverse("training:feedback_mine_submit"),
    )


@login_required
@require_GET
def answer_mine(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The signed-in participant's survey form. It posts to an address without the
    enrolment id (which goes in the body), so that access logs do not record
    whose answers were sent when."""
    return _answer_mine(request, enrolment_id)


@login_required
@require_POST
def answer_mine_submit(request: HttpRequest) -> HttpResponse:
    return _answer_mine(request, request.POST.get("enrolment", ""))


# --- results -----------------------------------------------------------------------


@login_required
@require_GET
def session_results(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, RESULTS)
    return render(
        request,
        "training/feedback/results.html",
        {
            "results": survey_results.session_results(session),
            "session": session,
            "minimum": survey_results.MIN_RESPONSES,
            "active_nav": "training",
        },
    )


def _compared(request: HttpRequest) -> tuple[Any, CompareFilter]:
    district = _district(request, RESULTS)
    programmes = Programme.objects.filter(district=district).order_by("title")
    params = request.GET.copy()
    params.setdefault("year", str(timezone.localdate().year))
    chosen = CompareFilter(params, programmes=programmes)
    sessions = Session.objects.filter(course__programme__district=district)
    if chosen.is_valid():
        if chosen.cleaned_data["year"]:
            year = chosen.cleaned_data["year"]
            start = timezone.make_aware(datetime.datetime(year, 1, 1))
            end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
            sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
        if chosen.cleaned_data["programme"]:
            sessions = sessions.filter(
                course__programme=chosen.cleaned_data["programme"]
            )
    return survey_results.compare(sessions.order_by("starts_at", "id")), chosen


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    comparison, chosen = _compared(request)
    return render(
        request,
        "training/feedback/compare.html",
        {
            "comparison": comparison,
            "filter": chosen,
            "query": request.GET.urlencode(),
            "minimum": survey_results.MIN_RESPONSES,
            "active_nav": "training",
        },
    )


@login_required
@require_GET
def compare_xlsx(request: HttpRequest) -> HttpResponse:
    comparison, chosen = _compared(request)
    year = chosen.cleaned_data.get("year") if chosen.is_valid() else None
    title = _("Feedback compared %(year)s") % {"year": year or ""}
    response = HttpResponse(
        survey_results.comparison_xlsx(comparison, title=title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="feedback-{year or "all"}.xlsx"'
    )
    return response


# --- certificates ------------------------------------------------------------------


def _certificate(request: HttpRequest, code: str) -> Certificate:
    """A certificate the user may download; anything else is a 404."""
    try:
        code = certificates.normalise(code)
    except DomainError:
        raise Http404 from None
    certificate = (
        Certificate.objects.select_related(
            "enrolment__staff__library__municipality",
            "enrolment__session__course__programme__district",
        )
        .filter(code=code)
        .first()
    )
    if certificate is None or not certificates.may_download(request.user, certificate):
        raise Http404
    return certificate


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    certificate = _certificate(request, code)
    verify = certificates.verify_url(certificate.code, base=site_url(request))
    response = HttpResponse(
        certificates.certificate_pdf(certificate, verify=verify),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'inline; filename="certificate-{certificate.code}.pdf"'
    )
    # A person's name: never kept by a shared browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def revoke_certificate(request: HttpRequest, code: str) -> HttpResponse:
    certificate = _certificate(request, code)
    if not has_perm(request.user, "training.certificate:issue", certificate):
        raise Http404
    try:
        certificates.revoke_certificate(
            certificate=certificate,
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The certificate was revoked."))
    return redirect(
        "training:session_certificates", session_id=certificate.enrolment.session_id
    )


@login_required
@require_GET
def session_certificates(request: HttpRequest, session_id: int) -> HttpResponse:
    """The certificates of a session, each with a form to revoke it."""
    session = _session(request, session_id, "training.certificate:issue")
    issued = (
        Certificate.objects.filter(enrolment__session=session)
        .select_related("enrolment__staff")
        .order_by("holder_name", "id")
    )
    return render(
        request,
        "training/certificates/session.html",
        {"session": session, "certificates": issued, "active_nav": "training"},
    )


# --- public verification -----------------------------------------------------------


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def verify_index(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        try:
            code = certificates.normalise(form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            return redirect("verify:certificate", code=code)
    return _noindex(
        render(
            request,
            "training/certificates/verify.html",
            {"form": form},
            status=400 if form.errors else 200,
        )
    )


@require_GET
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    try:
        view = certificates.public_view(certificates.find(code))
    except DomainError as exc:
        form = VerifyForm({"code": code})
        form.is_valid()
        form.add_error("code", exc.message)
        return _noindex(
            render(
                request,
                "training/certificates/verify.html",
                {"form": form},
                status=404,
            )
        )
    return _noindex(
        render(request, "training/certificates/verified.html", {"view": view})
    )
