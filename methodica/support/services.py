"""Every write of methodological help: consultations, questions, taxonomies.

Visits and their recommendations are written by :mod:`methodica.support.visits`;
the names are re-exported here so that callers have one place to look.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from methodica.core.audit import audit, created, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, require_perm
from methodica.libraries.models import District, Library
from methodica.support import defaults
from methodica.support.models import ChecklistItem, Consultation, Message, Topic
from methodica.support.visits import (  # noqa: F401 (one place for every service)
    cancel_visit,
    mark_report_sent,
    plan_visit,
    record_visit,
    send_visit_report,
    update_recommendation,
)

# One consultation of more than a working day is a typing error (minutes for
# hours, an extra zero); longer work is logged as several consultations.
MAX_MINUTES = 8 * 60
LANGUAGES = ("bg", "ru", "en")

CONSULTATION_FIELDS = [
    "given_on",
    "library",
    "person",
    "channel",
    "topic",
    "question",
    "answer",
    "minutes",
    "read_level",
    "follow_up",
]


# --- taxonomies ---------------------------------------------------------------


@transaction.atomic
def ensure_defaults(district: District) -> None:
    """Seed the default topics and visit checklist of ``district`` (idempotent).

    Only codes the district does not have yet are added, so an edited or retired
    entry is never brought back or overwritten. Two first requests at once may both
    see a code missing; the unique constraint keeps one row and the other insert is
    skipped.
    """
    for model, entries in (
        (Topic, defaults.TOPICS),
        (ChecklistItem, defaults.CHECKLIST),
    ):
        have = set(
            model.objects.filter(district=district).values_list("code", flat=True)
        )
        model.objects.bulk_create(
            [
                model(district=district, code=code, names=names, position=position)
                for position, (code, names) in enumerate(entries, start=1)
                if code not in have
            ],
            ignore_conflicts=True,
        )


def _clean_names(names: Mapping[str, str]) -> dict[str, str]:
    cleaned = {lang: (names.get(lang) or "").strip() for lang in LANGUAGES}
    if not cleaned["bg"]:
        raise DomainError(_("The Bulgarian name is required."), field="name_bg")
    return {lang: text for lang, text in cleaned.items() if text}


@transaction.atomic
def save_taxonomy_entry(
    *,
    actor: Any,
    district: District,
    model: type[Topic] | type[ChecklistItem],
    entry: Topic | ChecklistItem | None,
    code: str,
    names: Mapping[str, str],
    position: int,
    active: bool,
) -> Topic | ChecklistItem:
    """Add or change a consultation topic or a checklist item of ``district``."""
    require_perm(actor, "support.taxonomy:manage", district)
    code = code.strip()
    if not code:
        raise DomainError(_("The code is required."), field="code")
    clash = model.objects.filter(district=district, code=code)
    if entry is not None:
        clash = clash.exclude(pk=entry.pk)
    if clash.exists():
        raise DomainError(
            _("The code %(code)s is already in use.") % {"code": code}, field="code"
        )
    fields = ["code", "names", "position", "active"]
    values = {
        "code": code,
        "names": _clean_names(names),
        "position": position,
        "active": active,
    }
    label = model._meta.model_name
    if entry is None:
        entry = model.objects.create(district=district, **values)
        audit(
            actor=actor,
            action=f"{label}.created",
            obj=entry,
            changes=created(entry, fields),
        )
        return entry
    entry = model.objects.select_for_update().get(pk=entry.pk)
    before = snapshot(entry, fields)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save(update_fields=fields)
    audit(
        actor=actor,
        action=f"{label}.changed",
        obj=entry,
        changes=diff(before, snapshot(entry, fields)),
    )
    return entry


# --- consultations ------------------------------------------------------------


def _check_consultation(
    actor: Any, district: District, data: Mapping[str, Any], perm: str
) -> None:
    """Refuse bad input with a message on the field it belongs to."""
    library = data.get("library")
    if library is not None:
        if library.municipality.district_id != district.pk or not has_perm(
            actor, perm, library
        ):
            raise DomainError(
                _("You cannot log consultations for this library."), field="library"
            )
    elif not (data.get("person") or "").strip():
        raise DomainError(
            _("Choose a library, or write the name of the person who asked."),
            field="library",
        )
    elif not has_perm(actor, perm, district):
        raise DomainError(
            _(
                "Consultations given to a person, not to a library, are logged "
                "for the whole district; ask a district methodologist."
            ),
            field="person",
        )
    if not (data.get("question") or "").strip():
        raise DomainError(_("Write the question in short."), field="question")
    minutes = data.get("minutes") or 0
    if minutes < 0 or minutes > MAX_MINUTES:
        raise DomainError(
            _("The time spent must be between 0 and %(max)s minutes.")
            % {"max": MAX_MINUTES},
            field="minutes",
        )
    given_on = data.get("given_on")
    if given_on is not None and given_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field="given_on")
    topic = data.get("topic")
    if topic is not None and topic.district_id != district.pk:
        raise DomainError(_("Choose one of the district's topics."), field="topic")
    level = data.get("read_level")
    if level is not None and not 1 <= level <= 6:
        raise DomainError(_("The READ level is from 1 to 6."), field="read_level")


def _consultation_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "given_on": data.get("given_on") or timezone.localdate(),
        "library": data.get("library"),
        "person": (data.get("person") or "").strip(),
        "channel": data["channel"],
        "topic": data.get("topic"),
        "question": data["question"].strip(),
        "answer": (data.get("answer") or "").strip(),
        "minutes": data.get("minutes") or 0,
        "read_level": data.get("read_level"),
        "follow_up": bool(data.get("follow_up")),
    }


@transaction.atomic
def log_consultation(
    *, actor: Any, district: District, data: Mapping[str, Any]
) -> Consultation:
    """Log a consultation given to a library (or a person) of ``district``."""
    require_perm(actor, "support.consultation:log")
    if data.get("channel") not in Consultation.Channel.values:
        raise DomainError(_("Choose how the consultation was given."), field="channel")
    _check_consultation(actor, district, data, "support.consultation:log")
    consultation = Consultation.objects.create(
        district=district,
        owner=actor,
        origin=Consultation.Origin.LOGGED,
        status=Consultation.Status.ANSWERED,
        **_consultation_values(data),
    )
    audit(
        actor=actor,
        action="consultation.logged",
        obj=consultation,
        changes=created(consultation, CONSULTATION_FIELDS),
    )
    return consultation


@transaction.atomic
def update_consultation(
    *, actor: Any, consultation: Consultation, data: Mapping[str, Any]
) -> Consultation:
    """Correct a consultation; the audit entry holds each changed field."""
    locked = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("district", "library__municipality")
        .get(pk=consultation.pk)
    )
    require_perm(actor, "support.consultation:log", locked)
    if data.get("channel") not in Consultation.Channel.values:
        raise DomainError(_("Choose how the consultation was given."), field="channel")
    _check_consultation(actor, locked.district, data, "support.consultation:log")
    fields = [*CONSULTATION_FIELDS, "follow_up_done_on"]
    before = snapshot(locked, fields)
    for name, value in _consultation_values(data).items():
        setattr(locked, name, value)
    if not locked.follow_up:
        # A follow-up no longer needed cannot have been given.
        locked.follow_up_done_on = None
    locked.save(update_fields=[*fields, "updated_at"])
    audit(
        actor=actor,
        action="consultation.changed",
        obj=locked,
        changes=diff(before, snapshot(locked, fields)),
    )
    return locked


@transaction.atomic
def mark_follow_up_done(
    *, actor: Any, consultation: Consultation, done_on: datetime.date | None = None
) -> Consultation:
    """Record that the follow-up a consultation needed was given."""
    locked = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("library__municipality")
        .get(pk=consultation.pk)
    )
    require_perm(actor, "support.consultation:log", locked)
    if not locked.follow_up:
        raise DomainError(_("This consultation needs no follow-up."))
    if locked.follow_up_done_on is not None:
        raise DomainError(_("The follow-up is already recorded as done."))
    done_on = done_on or timezone.localdate()
    if not locked.given_on <= done_on <= timezone.localdate():
        raise DomainError(
            _(
                "The follow-up date must be between the consultation (%(date)s) "
                "and today."
            )
            % {"date": date_format(locked.given_on, "SHORT_DATE_FORMAT")},
            field="done_on",
        )
    locked.follow_up_done_on = done_on
    locked.save(update_fields=["follow_up_done_on", "updated_at"])
    audit(
        actor=actor,
        action="consultation.followed_up",
        obj=locked,
        changes={
            "follow_up_done_on": {
                "before": None,
                "after": locked.follow_up_done_on.isoformat(),
            }
        },
    )
    return locked


# --- questions from libraries ---------------------------------------------------


UrlFor = Callable[[int], str]


def _language() -> str:
    return translation.get_language() or "bg"


def _thread_url(url_for: UrlFor | None, pk: int) -> str:
    """The thread's address for an email (absolute when the view gives one)."""
    from django.urls import reverse

    return url_for(pk) if url_for else reverse("support:question", args=[pk])


@transaction.atomic
def ask_question(
    *,
    actor: Any,
    library: Library,
    question: str,
    topic: Topic | None = None,
    url_for: UrlFor | None = None,
) -> Consultation:
    """A library asks the methodologists; the thread is open until answered."""
    from methodica.support.tasks import notify_methodologists

    if not has_perm(actor, "support.request:ask", library):
        raise DomainError(
            _("You cannot ask on behalf of this library."), field="library"
        )
    question = (question or "").strip()
    if not question:
        raise DomainError(_("Write your question."), field="question")
    district_id = library.municipality.district_id
    if topic is not None and (topic.district_id != district_id or not topic.active):
        raise DomainError(_("Choose one of the district's topics."), field="topic")
    consultation = Consultation.objects.create(
        district_id=district_id,
        library=library,
        channel=Consultation.Channel.SYSTEM,
        topic=topic,
        question=question,
        origin=Consultation.Origin.REQUEST,
        status=Consultation.Status.OPEN,
        asked_by=actor,
        waiting_since=timezone.now(),
    )
    Message.objects.create(consultation=consultation, author=actor, body=question)
    audit(
        actor=actor,
        action="question.asked",
        obj=consultation,
        changes=created(consultation, ["library", "topic", "question"]),
    )
    pk, language = consultation.pk, _language()
    url = _thread_url(url_for, pk)
    transaction.on_commit(
        lambda: notify_methodologists.enqueue(
            consultation_id=pk, url=url, language=language
        )
    )
    return consultation


def _lock_question(consultation: Consultation) -> Consultation:
    locked = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("library__municipality")
        .get(pk=consultation.pk)
    )
    if locked.origin != Consultation.Origin.REQUEST:
        raise DomainError(_("This consultation is not a question from a library."))
    return locked


@transaction.atomic
def take_question(*, actor: Any, consultation: Consultation) -> Consultation:
    """Become the owner of a question (the one who answers it)."""
    locked = _lock_question(consultation)
    require_perm(actor, "support.request:answer", locked)
    if locked.owner_id == actor.pk:
        raise DomainError(_("This question is already yours."))
    before = snapshot(locked, ["owner"])
    locked.owner = actor
    locked.save(update_fields=["owner", "updated_at"])
    audit(
        actor=actor,
        action="question.taken",
        obj=locked,
        changes=diff(before, snapshot(locked, ["owner"])),
    )
    return locked


@transaction.atomic
def answer_question(
    *,
    actor: Any,
    consultation: Consultation,
    body: str,
    minutes: int = 0,
    read_level: int | None = None,
    url_for: UrlFor | None = None,
) -> Message:
    """Answer a question: a message in the thread; the library is told by email."""
    from methodica.support.tasks import notify_library

    locked = _lock_question(consultation)
    require_perm(actor, "support.request:answer", locked)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the answer."), field="body")
    if minutes < 0 or locked.minutes + minutes > MAX_MINUTES:
        raise DomainError(
            _("The time spent must be between 0 and %(max)s minutes.")
            % {"max": MAX_MINUTES},
            field="minutes",
        )
    if read_level is not None and not 1 <= read_level <= 6:
        raise DomainError(_("The READ level is from 1 to 6."), field="read_level")
    fields = ["answer", "status", "owner", "minutes", "read_level"]
    before = snapshot(locked, fields)
    message = Message.objects.create(
        consultation=locked, author=actor, body=body, from_methodologist=True
    )
    locked.answer = body
    locked.status = Consultation.Status.ANSWERED
    locked.answered_at = timezone.now()
    locked.owner = locked.owner or actor
    locked.minutes += minutes
    if read_level is not None:
        locked.read_level = max(read_level, locked.read_level or 0)
    locked.save(update_fields=[*fields, "answered_at", "updated_at"])
    audit(
        actor=actor,
        action="question.answered",
        obj=locked,
        changes=diff(before, snapshot(locked, fields)),
    )
    pk, language, url = message.pk, _language(), _thread_url(url_for, locked.pk)
    transaction.on_commit(
        lambda: notify_library.enqueue(message_id=pk, url=url, language=language)
    )
    return message


@transaction.atomic
def reply_to_question(
    *,
    actor: Any,
    consultation: Consultation,
    body: str,
    url_for: UrlFor | None = None,
) -> Message:
    """The library replies in its thread; a reply after an answer reopens it."""
    from methodica.support.tasks import notify_methodologists

    locked = _lock_question(consultation)
    if not has_perm(actor, "support.request:ask", locked.library):
        raise DomainError(_("You cannot reply in this thread."))
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write your message."), field="body")
    message = Message.objects.create(consultation=locked, author=actor, body=body)
    changes: dict[str, Any] = {"message": {"before": None, "after": body[:200]}}
    if locked.status == Consultation.Status.ANSWERED:
        # The library waits again from now, not from its first question.
        locked.status = Consultation.Status.OPEN
        locked.waiting_since = timezone.now()
        locked.save(update_fields=["status", "waiting_since", "updated_at"])
        changes["status"] = {"before": "answered", "after": "open"}
    audit(actor=actor, action="question.replied", obj=locked, changes=changes)
    pk, language = locked.pk, _language()
    url = _thread_url(url_for, pk)
    transaction.on_commit(
        lambda: notify_methodologists.enqueue(
            consultation_id=pk, url=url, language=language, reply=True
        )
    )
    return message
