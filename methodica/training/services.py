"""Every write to programmes, courses, sessions, invitations, enrolments and
attendance. Surveys and certificates have their own services (``surveys.py``,
``certificates.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from methodica.core.audit import audit, created, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, require_perm
from methodica.libraries.models import District, Library, StaffMember
from methodica.training import audience
from methodica.training.models import (
    Course,
    Enrolment,
    Invitation,
    Module,
    Programme,
    Session,
)
from methodica.training.tasks import (
    REMIND_BEFORE,
    send_enrolment_notice,
    send_invitation,
    send_session_reminders,
)

PROGRAMME_FIELDS = ["title", "description", "audience", "active"]
COURSE_FIELDS = ["title", "description", "outcomes", "hours", "position"]
SESSION_FIELDS = [
    "starts_at",
    "ends_at",
    "all_day",
    "place",
    "online_url",
    "trainer",
    "capacity",
    "hours",
    "survey",
]
ENROLMENT_RESET = [
    "status",
    "enrolled_by",
    "requested_at",
    "promoted_at",
    "attended",
    "attendance_marked_by",
    "reminded_at",
]
# A change to any of these is news to everyone enrolled or waiting.
SESSION_NEWS_FIELDS = ("starts_at", "ends_at", "place", "online_url")


class TrainingError(DomainError):
    """A training service refused to act; ``message`` says why, translated."""


def _language() -> str:
    return translation.get_language() or "bg"


# --- programmes and courses


@transaction.atomic
def save_programme(
    *,
    actor: Any,
    district: District,
    data: Mapping[str, Any],
    programme: Programme | None = None,
) -> Programme:
    """Create a programme of ``district``, or change ``programme``."""
    require_perm(actor, "training.session:manage", district)
    if programme is None:
        programme = Programme(district=district)
        before = None
    else:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        before = snapshot(programme, PROGRAMME_FIELDS)
    for name in PROGRAMME_FIELDS:
        if name in data:
            setattr(programme, name, data[name])
    if before is None:
        programme.save()
        audit(
            actor=actor,
            action="programme.created",
            obj=programme,
            changes=created(programme, PROGRAMME_FIELDS),
        )
        return programme
    changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
    if changes:
        programme.save(update_fields=PROGRAMME_FIELDS)
        audit(actor=actor, action="programme.changed", obj=programme, changes=changes)
    return programme


@transaction.atomic
def save_course(
    *,
    actor: Any,
    programme: Programme,
    data: Mapping[str, Any],
    modules: Sequence[Mapping[str, Any]] | None = None,
    course: Course | None = None,
) -> Course:
    """Create or change a course; ``modules`` (title, hours), when given, replace the
    course's modules in that order."""
    require_perm(actor, "training.session:manage", programme)
    if course is None:
        course = Course(programme=programme)
        before: dict[str, Any] = {}
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
        before = snapshot(course, COURSE_FIELDS)
        before["modules"] = [
            [m.title, str(m.hours)] for m in course.modules.order_by("position", "id")
        ]
    for name in COURSE_FIELDS:
        if name in data:
            setattr(course, name, data[name])
    if before:
        course.save(update_fields=COURSE_FIELDS)
    else:
        course.save()
    after = snapshot(course, COURSE_FIELDS)
    if modules is not None:
        course.modules.all().delete()
        Module.objects.bulk_create(
            Module(course=course, title=m["title"], hours=m["hours"], position=i)
            for i, m in enumerate(modules)
        )
        after["modules"] = [[m["title"], str(m["hours"])] for m in modules]
    elif before:
        after["modules"] = before["modules"]
    changes = diff(before, after)
    if changes or not before:
        audit(
            actor=actor,
            action="course.changed" if before else "course.created",
            obj=course,
            changes=changes,
        )
    return course


# --- sessions


def _clean_session(values: Mapping[str, Any]) -> None:
    if values["ends_at"] < values["starts_at"]:
        raise TrainingError(
            _("A session cannot end before it starts."), field="ends_at"
        )
    if not values.get("place") and not values.get("online_url"):
        raise TrainingError(
            _("Give the place of the session or its online link."), field="place"
        )


@transaction.atomic
def create_session(*, actor: Any, course: Course, data: Mapping[str, Any]) -> Session:
    """Schedule a session of ``course``; its hours default to the course's."""
    require_perm(actor, "training.session:manage", course)
    values = {name: data.get(name) for name in SESSION_FIELDS if name in data}
    values.setdefault("hours", None)
    if values["hours"] in (None, ""):
        values["hours"] = course.hours
    for name in ("place", "online_url"):
        values[name] = values.get(name) or ""
    _clean_session(values)
    session = Session.objects.create(course=course, **values)
    audit(
        actor=actor,
        action="session.created",
        obj=session,
        changes=created(session, SESSION_FIELDS),
    )
    return session


def _bump_sequence(session: Session) -> None:
    # F(): two editors at once each add one, and the calendar sees both changes.
    Session.objects.filter(pk=session.pk).update(
        sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    session.refresh_from_db(fields=["sequence", "updated_at"])


def _feedback_started(session: Session) -> bool:
    """Answers given to one survey must not be read against another's questions."""
    return (
        session.feedback_sent_at is not None
        or session.responses.exists()
        or session.enrolments.filter(survey_ticket__isnull=False).exists()
    )


@transaction.atomic
def update_session(*, actor: Any, session: Session, data: Mapping[str, Any]) -> Session:
    """Change a session. Fewer places never drop anyone already enrolled; more
    places take the first ones waiting."""
    require_perm(actor, "training.session:manage", session)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status == Session.Status.CANCELLED:
        raise TrainingError(_("This session is cancelled and cannot be changed."))
    before = snapshot(locked, SESSION_FIELDS)
    for name in SESSION_FIELDS:
        if name in data:
            value = data[name]
            if name in ("place", "online_url"):
                value = value or ""
            if name == "hours" and value in (None, ""):
                value = locked.course.hours
            setattr(locked, name, value)
    _clean_session({name: getattr(locked, name) for name in SESSION_FIELDS})
    changes = diff(before, snapshot(locked, SESSION_FIELDS))
    if "survey" in changes and _feedback_started(locked):
        raise TrainingError(
            _(
                "The feedback survey has gone out or been answered: the session's "
                "survey can no longer change."
            )
        )
    if not changes:
        return locked
    locked.save(update_fields=SESSION_FIELDS)
    _bump_sequence(locked)
    if "starts_at" in changes:
        # A new date deserves a new reminder, however soon the old one went out.
        locked.enrolments.filter(reminded_at__isnull=False).update(reminded_at=None)
    if any(name in changes for name in SESSION_NEWS_FIELDS):
        told = list(
            locked.enrolments.exclude(status=Enrolment.Status.CANCELLED).values_list(
                "pk", flat=True
            )
        )
        _notify(told, "session_changed")
        changes["notified"] = {"before": None, "after": len(told)}
    promoted = _promote(locked, actor=actor)
    if promoted:
        changes["promoted"] = {"before": None, "after": len(promoted)}
    audit(actor=actor, action="session.changed", obj=locked, changes=changes)
    return locked


@transaction.atomic
def cancel_session(*, actor: Any, session: Session, reason: str = "") -> Session:
    """Cancel a session; everyone enrolled or waiting is told by email."""
    require_perm(actor, "training.session:manage", session)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status == Session.Status.CANCELLED:
        raise TrainingError(_("This session is already cancelled."))
    if locked.is_past:
        # Its attendance and certificates stand: a session held stays held.
        raise TrainingError(
            _("This session has already started and can no longer be cancelled.")
        )
    locked.status = Session.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    _bump_sequence(locked)
    told = list(
        locked.enrolments.exclude(status=Enrolment.Status.CANCELLED).values_list(
            "pk", flat=True
        )
    )
    _notify(told, "session_cancelled", reason=reason)
    audit(
        actor=actor,
        action="session.cancelled",
        obj=locked,
        changes={
            "status": {"before": "scheduled", "after": "cancelled"},
            "reason": {"before": None, "after": reason},
            "notified": {"before": None, "after": len(told)},
        },
    )
    return locked


def places_left(session: Session) -> int:
    taken = session.enrolments.holding_a_place().count()
    return max(session.capacity - taken, 0)


# --- invitations


@dataclass(frozen=True)
class InvitationResult:
    invited: int
    already_invited: int
    already_enrolled: int = 0


@transaction.atomic
def invite(
    *, actor: Any, session: Session, criteria: audience.Criteria, site_url: str = ""
) -> InvitationResult:
    """Invite the target group chosen by ``criteria``; people already invited are
    skipped. Each new invitee with an email address is emailed by the worker."""
    require_perm(actor, "training.session:manage", session)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status == Session.Status.CANCELLED or locked.is_past:
        raise TrainingError(
            _("Invitations can only be sent for a scheduled session still to come.")
        )
    group = audience.target_group(
        StaffMember.objects.visible_to(actor),
        district_id=locked.course.programme.district_id,
        criteria=criteria,
    )
    staff_ids = set(group.values_list("pk", flat=True))
    # Those with a place or a turn on the waiting list need no invitation.
    enrolled = set(
        locked.enrolments.filter(staff_id__in=staff_ids)
        .exclude(status=Enrolment.Status.CANCELLED)
        .values_list("staff_id", flat=True)
    )
    staff_ids -= enrolled
    already = set(
        locked.invitations.filter(staff_id__in=staff_ids).values_list(
            "staff_id", flat=True
        )
    )
    new = Invitation.objects.bulk_create(
        Invitation(session=locked, staff_id=staff_id, invited_by=actor)
        for staff_id in sorted(staff_ids - already)
    )
    language = _language()
    for invitation in new:
        transaction.on_commit(
            lambda pk=invitation.pk: send_invitation.enqueue(
                invitation_id=pk, site_url=site_url, language=language
            )
        )
    audit(
        actor=actor,
        action="session.invited",
        obj=locked,
        changes={
            "criteria": {"before": None, "after": criteria.as_dict()},
            "invited": {"before": None, "after": len(new)},
            "already_invited": {"before": None, "after": len(already)},
            "already_enrolled": {"before": None, "after": len(enrolled)},
        },
    )
    return InvitationResult(
        invited=len(new), already_invited=len(already), already_enrolled=len(enrolled)
    )


# --- enrolment


def may_enrol(actor: Any, session: Session, staff: StaffMember) -> bool:
    """Only staff of the session's own district, and only by someone whose scope
    covers them: a library its own staff, a methodologist their district's.
    Running a session gives no say over another district's people."""
    if staff.library.municipality.district_id != session.course.programme.district_id:
        return False
    return has_perm(actor, "training.record:view", staff) or has_perm(
        actor, "training.enrolment:request", staff.library
    )


def _no_longer_eligible(staff: StaffMember) -> bool:
    return not staff.is_current or staff.library.status != Library.Status.ACTIVE


def _refuse_enrolment(session: Session, staff: StaffMember) -> None:
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("This session is cancelled: no one can enrol."))
    if session.is_past:
        raise TrainingError(_("This session has already started: enrolment is closed."))
    if not staff.is_current:
        raise TrainingError(
            _("%(name)s no longer works at %(library)s and cannot be enrolled.")
            % {"name": staff.full_name, "library": staff.library.name}
        )
    if staff.library.status != Library.Status.ACTIVE:
        raise TrainingError(
            _("%(library)s is not active: its staff cannot be enrolled.")
            % {"library": staff.library.name}
        )


@transaction.atomic
def enrol(*, session: Session, staff: StaffMember, actor: Any) -> Enrolment:
    """Give ``staff`` a place in ``session``, or put them on its waiting list when it
    is full. The session row is locked, so two people asking for the last place
    at once get one place and one turn on the list."""
    if not may_enrol(actor, session, staff):
        raise PermissionDenied
    locked = Session.objects.select_for_update().get(pk=session.pk)
    _refuse_enrolment(locked, staff)
    existing = locked.enrolments.filter(staff=staff).first()
    if existing is not None and existing.status != Enrolment.Status.CANCELLED:
        if existing.status == Enrolment.Status.WAITING:
            message = _("%(name)s is already on the waiting list of this session.")
        else:
            message = _("%(name)s is already enrolled in this session.")
        raise TrainingError(message % {"name": staff.full_name})
    full = places_left(locked) == 0
    status = Enrolment.Status.WAITING if full else Enrolment.Status.ENROLLED
    # One row per person and session: someone who cancelled and asks again takes
    # the row back, at the end of the queue.
    enrolment = existing or Enrolment(session=locked, staff=staff)
    before = existing.status if existing is not None else None
    enrolment.status = status
    enrolment.enrolled_by = actor if getattr(actor, "pk", None) else None
    enrolment.requested_at = timezone.now()
    enrolment.promoted_at = None
    enrolment.attended = None
    enrolment.attendance_marked_by = None
    enrolment.reminded_at = None
    if existing is None:
        enrolment.save()
    else:
        enrolment.save(update_fields=ENROLMENT_RESET)
    audit(
        actor=actor,
        action="enrolment.created",
        obj=enrolment,
        changes={"status": {"before": before, "after": status}},
    )
    if status == Enrolment.Status.ENROLLED and locked.starts_at - timezone.now() <= (
        REMIND_BEFORE
    ):
        language = _language()
        transaction.on_commit(lambda: send_session_reminders.enqueue(language=language))
    return enrolment


def _promote(session: Session, *, actor: Any) -> list[Enrolment]:
    """Fill free places from the waiting list, first asked first; email each.
    Someone who left their library meanwhile, or whose library closed, loses
    their turn (cancelled, audited) instead of taking a place."""
    free = places_left(session)
    if free == 0 or session.is_past or session.status != Session.Status.SCHEDULED:
        return []
    queue = (
        session.enrolments.select_for_update(of=("self",))
        .select_related("staff__library")
        .filter(status=Enrolment.Status.WAITING)
        .order_by("requested_at", "id")
    )
    waiting: list[Enrolment] = []
    for enrolment in queue:
        if len(waiting) == free:
            break
        if _no_longer_eligible(enrolment.staff):
            enrolment.status = Enrolment.Status.CANCELLED
            enrolment.save(update_fields=["status"])
            audit(
                actor=actor,
                action="enrolment.cancelled",
                obj=enrolment,
                changes={
                    "status": {"before": "waiting", "after": "cancelled"},
                    "reason": {"before": None, "after": "no longer current"},
                },
            )
            continue
        waiting.append(enrolment)
    now = timezone.now()
    for enrolment in waiting:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.promoted_at = now
        enrolment.save(update_fields=["status", "promoted_at"])
        audit(
            actor=actor,
            action="enrolment.promoted",
            obj=enrolment,
            changes={"status": {"before": "waiting", "after": "enrolled"}},
        )
    _notify([e.pk for e in waiting], "promoted")
    return waiting


@transaction.atomic
def cancel_enrolment(*, enrolment: Enrolment, actor: Any) -> Enrolment:
    """Give up a place (or a turn on the waiting list); the first one waiting takes
    a freed place and is told by email."""
    if not may_enrol(actor, enrolment.session, enrolment.staff):
        raise PermissionDenied
    locked_session = Session.objects.select_for_update().get(pk=enrolment.session_id)
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status == Enrolment.Status.CANCELLED:
        raise TrainingError(_("This enrolment is already cancelled."))
    if locked_session.is_past:
        raise TrainingError(
            _("The session has already started: the enrolment can no longer change.")
        )
    before = locked.status
    locked.status = Enrolment.Status.CANCELLED
    locked.attended = None
    locked.save(update_fields=["status", "attended"])
    audit(
        actor=actor,
        action="enrolment.cancelled",
        obj=locked,
        changes={"status": {"before": before, "after": "cancelled"}},
    )
    if before == Enrolment.Status.ENROLLED:
        _promote(locked_session, actor=actor)
    return locked


def _notify(enrolment_ids: Iterable[int], kind: str, *, reason: str = "") -> None:
    language = _language()
    for pk in enrolment_ids:
        transaction.on_commit(
            lambda pk=pk: send_enrolment_notice.enqueue(
                enrolment_id=pk, kind=kind, reason=reason, language=language
            )
        )


# --- attendance


@transaction.atomic
def mark_attendance(
    *, session: Session, present_ids: Iterable[int], actor: Any
) -> dict[str, int]:
    """Mark every enrolled person present (their enrolment id is in ``present_ids``)
    or absent. Only once the session has started; the waiting list cannot be
    marked."""
    require_perm(actor, "training.session:manage", session)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if not locked.is_past:
        raise TrainingError(
            _("Attendance can be marked only once the session has started.")
        )
    if locked.status == Session.Status.CANCELLED:
        raise TrainingError(_("This session is cancelled: no attendance to mark."))
    present = set(present_ids)
    enrolled = locked.enrolments.holding_a_place()
    enrolled_ids = set(enrolled.values_list("pk", flat=True))
    if present - enrolled_ids:
        raise TrainingError(
            _(
                "Only people with a place in the session can be marked present, "
                "not those on the waiting list."
            )
        )
    certified = (
        enrolled.exclude(pk__in=present)
        .filter(certificate__isnull=False, certificate__revoked_at__isnull=True)
        .values_list("staff__full_name", flat=True)
        .first()
    )
    if certified is not None:
        raise TrainingError(
            _(
                "%(name)s holds a certificate for this session and cannot be marked "
                "absent: revoke the certificate first."
            )
            % {"name": certified}
        )
    user = actor if getattr(actor, "pk", None) else None
    before = dict(enrolled.values_list("pk", "attended"))
    enrolled.filter(pk__in=present).update(attended=True, attendance_marked_by=user)
    enrolled.exclude(pk__in=present).update(attended=False, attendance_marked_by=user)
    counts = {"present": len(present), "absent": len(enrolled_ids - present)}
    audit(
        actor=actor,
        action="session.attendance_marked",
        obj=locked,
        changes={
            "present": {
                "before": sorted(pk for pk, value in before.items() if value),
                "after": sorted(present),
            },
            "absent": {"before": None, "after": counts["absent"]},
        },
    )
    return counts
