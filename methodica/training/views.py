"""The training pages: programmes and courses, sessions, invitations, enrolment,
attendance, the calendar feeds and the sign-in sheet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm
from methodica.libraries.models import District, Library, StaffMember
from methodica.libraries.queries import parse_id
from methodica.training import audience, ical, records, services, signin
from methodica.training.forms import (
    AudienceForm,
    CancelSessionForm,
    CourseForm,
    ModuleFormSet,
    ProgrammeForm,
    SessionForm,
    module_initial,
    module_rows,
)
from methodica.training.models import Course, Enrolment, Programme, Session

SESSION_RELATED = ("course__programme__district",)


def _session(request: HttpRequest, pk: int) -> Session:
    """A session the user may see (sessions are district-wide offers)."""
    if not has_perm(request.user, "training.session:view"):
        raise Http404
    session = (
        Session.objects.visible_to(request.user)
        .select_related(*SESSION_RELATED)
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session


def _managed_session(request: HttpRequest, pk: int) -> Session:
    return get_object_for_user(
        request.user,
        Session.objects.select_related(*SESSION_RELATED),
        "training.session:manage",
        pk=pk,
    )


def _home_district(request: HttpRequest) -> District:
    district = District.objects.home_of(request.user)
    if district is None or not has_perm(
        request.user, "training.session:manage", district
    ):
        raise PermissionDenied
    return district


def _error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def own_staff(user: Any) -> list[StaffMember]:
    """The current staff a user may enrol: their own record first, then their
    libraries' by library and name."""
    today = timezone.localdate()
    staff = (
        StaffMember.objects.visible_to(user)
        .filter(
            Q(left_on__isnull=True) | Q(left_on__gt=today),
            library__status=Library.Status.ACTIVE,
        )
        .select_related("library__municipality")
        .order_by("library__name", "full_name", "id")
    )
    return sorted(staff, key=lambda s: s.user_id != user.pk)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Upcoming sessions for everyone; a library's own enrolments."""
    if not has_perm(request.user, "training.session:view"):
        raise PermissionDenied
    sessions = (
        Session.objects.visible_to(request.user)
        .upcoming()
        .select_related("course__programme")
    )[:50]
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .exclude(status=Enrolment.Status.CANCELLED)
        .filter(session__in=Session.objects.upcoming())
        .select_related("session__course", "staff__library")
        .order_by("session__starts_at", "staff__full_name")[:100]
    )
    can_manage = has_perm(request.user, "training.session:manage")
    return render(
        request,
        "training/home.html",
        {
            "sessions": sessions,
            "enrolments": enrolments,
            "recent": _recent_sessions(request.user) if can_manage else [],
            "can_enrol": has_perm(request.user, "training.enrolment:request"),
            "can_manage": can_manage,
            "can_records": has_perm(request.user, "training.record:view"),
            "can_design": has_perm(request.user, "training.survey:design"),
            "can_results": has_perm(request.user, "training.survey:results"),
            "active_nav": "training",
        },
    )


def _recent_sessions(user: Any) -> list[Session]:
    """Sessions of the last 90 days, for those who mark attendance and follow up."""
    now = timezone.now()
    enrolled = Q(enrolments__status=Enrolment.Status.ENROLLED)
    return list(
        Session.objects.visible_to(user)
        .filter(starts_at__lte=now, starts_at__gte=now - timedelta(days=90))
        .select_related("course")
        .annotate(
            enrolled_count=Count("enrolments", filter=enrolled),
            attended_count=Count(
                "enrolments", filter=enrolled & Q(enrolments__attended=True)
            ),
            marked_count=Count(
                "enrolments", filter=enrolled & Q(enrolments__attended__isnull=False)
            ),
        )
        .order_by("-starts_at")[:30]
    )


# --- programmes and courses


@login_required
@require_http_methods(["GET", "POST"])
def programme_list(request: HttpRequest) -> HttpResponse:
    district = _home_district(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.save_programme(
                actor=request.user, district=district, data=form.cleaned_data
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect("training:programme", pk=programme.pk)
    programmes = Programme.objects.filter(district=district).prefetch_related("courses")
    return render(
        request,
        "training/programmes.html",
        {"programmes": programmes, "form": form, "active_nav": "training"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_for_user(
        request.user, Programme.objects.all(), "training.session:manage", pk=pk
    )
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_programme(
                actor=request.user,
                district=programme.district,
                data=form.cleaned_data,
                programme=Programme.objects.get(pk=pk),
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect("training:programme", pk=pk)
    return render(
        request,
        "training/programme.html",
        {
            "programme": programme,
            "courses": programme.courses.prefetch_related("modules", "sessions"),
            "form": form,
            "active_nav": "training",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(
    request: HttpRequest, programme_pk: int, pk: int | None = None
) -> HttpResponse:
    programme = get_object_for_user(
        request.user,
        Programme.objects.all(),
        "training.session:manage",
        pk=programme_pk,
    )
    course = None
    if pk is not None:
        course = Course.objects.filter(programme=programme, pk=pk).first()
        if course is None:
            raise Http404
    form = CourseForm(request.POST or None, instance=course)
    modules = ModuleFormSet(
        request.POST or None, initial=module_initial(course), prefix="modules"
    )
    if request.method == "POST" and form.is_valid() and modules.is_valid():
        try:
            saved = services.save_course(
                actor=request.user,
                programme=programme,
                data=form.cleaned_data,
                modules=module_rows(modules),
                course=course,
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("training:programme", pk=saved.programme_id)
    return render(
        request,
        "training/course_form.html",
        {
            "programme": programme,
            "course": course,
            "form": form,
            "modules": modules,
            "active_nav": "training",
        },
    )


# --- sessions


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, course_pk: int) -> HttpResponse:
    course = get_object_for_user(
        request.user,
        Course.objects.select_related("programme"),
        "training.session:manage",
        pk=course_pk,
    )
    form = SessionForm(
        request.POST or None,
        district_id=course.programme.district_id,
        initial={"hours": course.hours},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(
                actor=request.user, course=course, data=form.cleaned_data
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The session was scheduled."))
            return redirect("training:session", pk=session.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "course": course, "session": None, "active_nav": "training"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    form = SessionForm(
        request.POST or None,
        instance=session,
        district_id=session.course.programme.district_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(
                actor=request.user,
                session=Session.objects.get(pk=pk),
                data=form.cleaned_data,
            )
        except DomainError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("training:session", pk=pk)
    return render(
        request,
        "training/session_form.html",
        {
            "form": form,
            "course": session.course,
            "session": session,
            "active_nav": "training",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    form = CancelSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_session(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The session was cancelled."))
        return redirect("training:session", pk=pk)
    return render(
        request,
        "training/session_cancel.html",
        {"form": form, "session": session, "active_nav": "training"},
    )


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Details and places left; the people only as ``training.record:view`` allows."""
    session = _session(request, pk)
    people = (
        Enrolment.objects.visible_to(request.user)
        .filter(session=session)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("staff__library")
    )
    enrolled = [e for e in people if e.status == Enrolment.Status.ENROLLED]
    waiting = [e for e in people if e.status == Enrolment.Status.WAITING]
    invitations = session.invitations.none()
    if has_perm(request.user, "training.record:view"):
        invitations = session.invitations.filter(
            staff__in=records.record_staff(request.user)
        ).select_related("staff__library")
    enrolling = session.status == Session.Status.SCHEDULED and not session.is_past
    taken = {e.staff_id for e in people}
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "places_left": services.places_left(session),
            "enrolled": enrolled,
            "waiting": waiting,
            "invitations": invitations,
            "can_manage": has_perm(request.user, "training.session:manage", session),
            "enrol_choices": [s for s in own_staff(request.user) if s.pk not in taken]
            if enrolling and has_perm(request.user, "training.enrolment:request")
            else [],
            "enrolling": enrolling,
            "active_nav": "training",
        },
    )


@login_required
@require_POST
def session_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol a staff member (by default the user's own staff record)."""
    session = _session(request, pk)
    staff_id = parse_id(request.POST.get("staff", ""))
    choices = own_staff(request.user)
    if staff_id is None:
        staff = next((s for s in choices if s.user_id == request.user.pk), None)
    else:
        staff = (
            StaffMember.objects.visible_to(request.user)
            .select_related("library__municipality")
            .filter(pk=staff_id)
            .first()
        )
    if staff is None or not services.may_enrol(request.user, session, staff):
        raise Http404
    try:
        enrolment = services.enrol(session=session, staff=staff, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if enrolment.status == Enrolment.Status.WAITING:
            messages.warning(
                request,
                _(
                    "The session is full: %(name)s is on the waiting list and will "
                    "be told by email when a place comes free."
                )
                % {"name": staff.full_name},
            )
        else:
            messages.success(
                request, _("%(name)s is enrolled.") % {"name": staff.full_name}
            )
    return redirect("training:session", pk=pk)


@login_required
@require_POST
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_for_user(
        request.user,
        Enrolment.objects.select_related(
            "session__course__programme", "staff__library"
        ),
        "training.record:view",
        pk=pk,
    )
    try:
        services.cancel_enrolment(enrolment=enrolment, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The enrolment of %(name)s was cancelled.")
            % {"name": enrolment.staff.full_name},
        )
    return redirect("training:session", pk=enrolment.session_id)


@login_required
@require_http_methods(["GET", "POST"])
def session_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a target group, preview it, then send the invitations."""
    session = _managed_session(request, pk)
    district_id = session.course.programme.district_id
    form = AudienceForm(request.POST or request.GET or None, district_id=district_id)
    group = None
    if form.is_bound and form.is_valid():
        criteria = form.criteria()
        group = audience.target_group(
            StaffMember.objects.visible_to(request.user),
            district_id=district_id,
            criteria=criteria,
        )
        if request.method == "POST":
            try:
                result = services.invite(
                    actor=request.user,
                    session=session,
                    criteria=criteria,
                    site_url=request.build_absolute_uri("/"),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "%(invited)s invited; %(already)s already invited and "
                        "%(enrolled)s already enrolled or waiting were skipped."
                    )
                    % {
                        "invited": result.invited,
                        "already": result.already_invited,
                        "enrolled": result.already_enrolled,
                    },
                )
                return redirect("training:session", pk=pk)
    invited = set(session.invitations.values_list("staff_id", flat=True))
    return render(
        request,
        "training/invite.html",
        {
            "session": session,
            "form": form,
            "group": list(group) if group is not None else None,
            "invited": invited,
            "active_nav": "training",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    enrolled = session.enrolments.holding_a_place().select_related("staff__library")
    if request.method == "POST":
        present = [
            pk for pk in (parse_id(v) for v in request.POST.getlist("present")) if pk
        ]
        try:
            counts = services.mark_attendance(
                session=session, present_ids=present, actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Attendance saved: %(present)s present, %(absent)s absent.") % counts,
            )
            return redirect("training:session", pk=pk)
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "enrolled": enrolled,
            "started": session.is_past,
            "active_nav": "training",
        },
    )


@login_required
@require_GET
def session_signin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    pdf = signin.sign_in_sheet(session)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sign-in-{session.pk}.pdf"'
    return response


# --- calendar feeds: public offers, no personal data


def _ics(request: HttpRequest, sessions: Any, name: str) -> HttpResponse:
    body = ical.calendar(
        sessions,
        host=ical.uid_host(),
        url_for=lambda s: request.build_absolute_uri(
            reverse("training:session", args=[s.pk])
        ),
        name=name,
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """Every session of the last year and to come, cancelled ones included so that
    subscribed calendars drop them."""
    sessions = Session.objects.select_related("course__programme__district").filter(
        starts_at__gte=timezone.now() - timedelta(days=365)
    )
    return _ics(request, sessions, _("Training sessions"))


@require_GET
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    sessions = Session.objects.select_related("course__programme__district").filter(
        pk=pk
    )
    if not sessions:
        raise Http404
    response = _ics(request, sessions, str(sessions[0].course))
    response["Content-Disposition"] = f'attachment; filename="session-{pk}.ics"'
    return response
