"""Feedback surveys: the questionnaires, the tickets that let a participant answer
once, and the answers (what they say: ``survey_results``).

Anonymity is the rule that shapes this module. A participant answers with a
:class:`SurveyTicket` (their one right to answer); the :class:`Response` they give
keeps no link back to the ticket, the enrolment or the person, and only the day it
was given.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from methodica.core.audit import audit, created, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.training.models import (
    Answer,
    Enrolment,
    Question,
    Response,
    Session,
    Survey,
    SurveyTicket,
)

SCORES = (1, 2, 3, 4, 5)
MAX_TEXT = 2000
# NUL cannot be stored in PostgreSQL text; the other controls are never typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LANGUAGES = ("bg", "ru", "en")

DEFAULT_QUESTIONS: list[tuple[Any, dict[str, str]]] = [
    # The four items US federal reporting asks of library training (IMLS), then two
    # free-text items beside them.
    (
        Question.Kind.LIKERT,
        {
            "bg": "Научих нещо ново.",
            "ru": "Я узнал(а) что-то новое.",
            "en": "I learned something new.",
        },
    ),
    (
        Question.Kind.LIKERT,
        {
            "bg": "Чувствам се по-уверен(а).",
            "ru": "Я чувствую себя увереннее.",
            "en": "I feel more confident.",
        },
    ),
    (
        Question.Kind.LIKERT,
        {
            "bg": "Възнамерявам да приложа наученото.",
            "ru": "Я собираюсь применить то, чему научился(ась).",
            "en": "I intend to apply what I learned.",
        },
    ),
    (
        Question.Kind.LIKERT,
        {
            "bg": "Това ще подобри услугите на нашата библиотека.",
            "ru": "Это улучшит услуги нашей библиотеки.",
            "en": "It will improve our library's services.",
        },
    ),
    (
        Question.Kind.TEXT,
        {
            "bg": "Кое беше най-полезно?",
            "ru": "Что было самым полезным?",
            "en": "What was most useful?",
        },
    ),
    (
        Question.Kind.TEXT,
        {
            "bg": "Какво да променим?",
            "ru": "Что нам изменить?",
            "en": "What should we change?",
        },
    ),
]
DEFAULT_TITLES = {
    "bg": "Обратна връзка след обучение",
    "ru": "Отзыв после обучения",
    "en": "Feedback after a training session",
}


# --- questionnaires ----------------------------------------------------------------


@transaction.atomic
def ensure_default_survey(*, district: Any, actor: Any = None) -> Survey:
    """The district's default survey, created with the standard items if it has none.

    Idempotent: a district that has a default survey keeps it as it is.
    """
    from methodica.libraries.models import District

    District.objects.select_for_update().filter(pk=district.pk).first()
    survey = Survey.objects.filter(district=district, is_default=True).first()
    if survey is not None:
        return survey
    survey = Survey.objects.create(
        district=district, title=DEFAULT_TITLES["bg"], anonymous=True, is_default=True
    )
    Question.objects.bulk_create(
        Question(survey=survey, kind=kind, texts=texts, required=False, position=i)
        for i, (kind, texts) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    audit(
        actor=actor,
        action="training.survey.created",
        obj=survey,
        changes=created(survey, ["title", "anonymous", "is_default"]),
    )
    return survey


@dataclass
class QuestionInput:
    """One row of the questionnaire editor: ``pk`` is None for a new question."""

    kind: str
    texts: dict[str, str]
    required: bool = False
    position: int = 0
    pk: int | None = None
    delete: bool = False


def _check_question(item: QuestionInput) -> None:
    if item.kind not in Question.Kind.values:
        raise DomainError(_("Choose the kind of each question."), field="questions")
    if not (item.texts.get("bg") or "").strip():
        raise DomainError(
            _("Each question needs its text in Bulgarian."), field="questions"
        )


def _same_meaning(question: Question, item: QuestionInput) -> bool:
    texts = {lang: (item.texts.get(lang) or "").strip() for lang in LANGUAGES}
    old = {lang: (question.texts.get(lang) or "").strip() for lang in LANGUAGES}
    return question.kind == item.kind and texts == old


@transaction.atomic
def save_survey(
    *,
    actor: Any,
    district: Any,
    survey: Survey | None,
    title: str,
    anonymous: bool,
    is_default: bool,
    questions: Sequence[QuestionInput],
) -> Survey:
    """Create or change a questionnaire and its questions.

    Once a survey has responses, its questions keep their meaning: none may be
    removed, reworded or change kind, and it cannot stop (or start) being anonymous,
    since the answers were given under that promise. New questions may be added.
    """
    require_perm(actor, "training.survey:design", district)
    if survey is not None:
        require_perm(actor, "training.survey:design", survey)
        if survey.district_id != district.pk:
            raise DomainError(_("This survey belongs to another district."))
    if not title.strip():
        raise DomainError(_("Give the survey a title."), field="title")
    kept = [item for item in questions if not item.delete]
    for item in kept:
        _check_question(item)
    if not kept:
        raise DomainError(_("A survey needs at least one question."), field="questions")
    if survey is not None:
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
    answered = survey is not None and survey.responses.exists()
    existing = {q.pk: q for q in survey.questions.all()} if survey else {}
    if survey is not None and anonymous != survey.anonymous and _promised(survey):
        raise DomainError(
            _(
                "This survey has gone out to participants: whether it is anonymous "
                "can no longer change. Make a new survey instead."
            ),
            field="anonymous",
        )
    if survey is not None and answered:
        _check_answered_survey(existing, questions)
    fields = ["title", "anonymous", "is_default"]
    if is_default and not (survey is not None and survey.is_default):
        _drop_other_default(district, survey, actor)
    before = snapshot(survey, fields) if survey else {}
    if survey is None:
        survey = Survey(district=district)
    survey.title, survey.anonymous, survey.is_default = (
        title.strip(),
        anonymous,
        is_default,
    )
    survey.save()
    changes = diff(before, snapshot(survey, fields))
    changes.update(_save_questions(survey, existing, questions))
    audit(
        actor=actor,
        action="training.survey.saved" if before else "training.survey.created",
        obj=survey,
        changes=changes,
    )
    return survey


def _promised(survey: Survey) -> bool:
    """Has any participant been told (by a ticket, or a sending) whether the survey
    is anonymous? Then that promise holds, answered or not."""
    return (
        survey.responses.exists()
        or Session.objects.filter(survey=survey)
        .filter(
            Q(feedback_sent_at__isnull=False)
            | Q(enrolments__survey_ticket__isnull=False)
        )
        .exists()
    )


def _drop_other_default(district: Any, survey: Survey | None, actor: Any) -> None:
    """The district's default survey stops being the default (audited), with the
    district locked so that two editors cannot both make theirs the default."""
    from methodica.libraries.models import District

    District.objects.select_for_update().filter(pk=district.pk).first()
    others = Survey.objects.select_for_update().filter(
        district=district, is_default=True
    )
    if survey is not None:
        others = others.exclude(pk=survey.pk)
    for other in others:
        other.is_default = False
        other.save(update_fields=["is_default"])
        audit(
            actor=actor,
            action="training.survey.saved",
            obj=other,
            changes={"is_default": {"before": True, "after": False}},
        )


def _check_answered_survey(
    existing: Mapping[int, Question], questions: Sequence[QuestionInput]
) -> None:
    given = {item.pk: item for item in questions if item.pk}
    for pk, question in existing.items():
        item = given.get(pk)
        if item is None or item.delete or not _same_meaning(question, item):
            raise DomainError(
                _(
                    "This survey has been answered: the question “%(question)s” cannot "
                    "be removed or changed. You may add new questions, or make a new "
                    "survey."
                )
                % {"question": question.text},
                field="questions",
            )


def _save_questions(
    survey: Survey, existing: Mapping[int, Question], questions: Sequence[QuestionInput]
) -> dict[str, Any]:
    added, changed, removed = 0, 0, 0
    for item in questions:
        question = existing.get(item.pk) if item.pk else None
        if item.pk and question is None:
            raise DomainError(_("A question of another survey was sent."))
        if item.delete:
            if question is not None:
                question.delete()
                removed += 1
            continue
        texts = {lang: (item.texts.get(lang) or "").strip() for lang in LANGUAGES}
        if question is None:
            Question.objects.create(
                survey=survey,
                kind=item.kind,
                texts=texts,
                required=item.required,
                position=item.position,
            )
            added += 1
        elif (question.kind, question.texts, question.required, question.position) != (
            item.kind,
            texts,
            item.required,
            item.position,
        ):
            question.kind, question.texts = item.kind, texts
            question.required, question.position = item.required, item.position
            question.save(update_fields=["kind", "texts", "required", "position"])
            changed += 1
    counts = {"added": added, "changed": changed, "removed": removed}
    return {
        f"questions_{name}": {"before": None, "after": n}
        for name, n in counts.items()
        if n
    }


def survey_for(session: Session) -> Survey | None:
    """The survey a session's participants answer: its own, else the district's
    default (which is attached to the session when the survey goes out)."""
    if session.survey_id:
        return session.survey
    return Survey.objects.filter(
        district_id=session.course.programme.district_id, is_default=True
    ).first()


# --- tickets and sending -----------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its SHA-256: only the hash is ever stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def ticket_for_token(token: str) -> SurveyTicket | None:
    return (
        SurveyTicket.objects.select_related(
            "enrolment__session__course__programme", "enrolment__session__survey"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def has_ended(session: Session) -> bool:
    return session.ends_at <= timezone.now()


def closes_at(session: Session) -> datetime.datetime:
    """When the survey of a session stops taking answers: ``FEEDBACK_DAYS`` after it
    first went out (or, not sent yet, after the session ended)."""
    opened = session.feedback_sent_at or session.ends_at
    return opened + datetime.timedelta(days=settings.FEEDBACK_DAYS)


def is_closed(session: Session) -> bool:
    return closes_at(session) <= timezone.now()


def results_ready(session: Session) -> bool:
    """May the results of an anonymous survey be shown? Only once it has closed,
    or everyone who may answer has answered: while answers still come in, two looks
    at the live figures a day apart would tell what the one answer between said."""
    if is_closed(session):
        return True
    tickets = SurveyTicket.objects.filter(enrolment__session=session)
    return tickets.exists() and not tickets.filter(used=False).exists()


def closed_message(session: Session) -> str:
    return _("This survey closed on %(date)s: answers are no longer taken.") % {
        "date": date_format(timezone.localtime(closes_at(session)), "DATE_FORMAT")
    }


@transaction.atomic
def send_feedback(*, session: Session, actor: Any, notify: bool = True) -> int:
    """Give each participant who attended a ticket to answer the session's survey,
    and have the worker email them the links. Returns how many tickets were made.

    ``actor`` None is the scheduled run (``send_feedback_surveys``). The tickets are
    made here with a hash of a throw-away token: the worker gives each a new token
    as it emails it, so that no usable token is ever stored, not even in the task
    queue. ``feedback_sent_at`` is the first sending, which opens the survey for
    ``FEEDBACK_DAYS``; it is not set while nobody is marked as attended.
    """
    from methodica.training import feedback_tasks

    if actor is not None:
        require_perm(actor, "training.session:manage", session)
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("course__programme")
        .get(pk=session.pk)
    )
    if session.status == Session.Status.CANCELLED:
        raise DomainError(_("The session was cancelled: there is nothing to ask."))
    if not has_ended(session):
        raise DomainError(_("The survey goes out once the session has ended."))
    if session.feedback_sent_at is not None and is_closed(session):
        raise DomainError(closed_message(session))
    attended = Enrolment.objects.filter(session=session, attended=True)
    if not attended.exists():
        raise DomainError(
            _("Nobody is marked as attended yet: mark the attendance first.")
        )
    survey = survey_for(session) or ensure_default_survey(
        district=session.course.programme.district, actor=actor
    )
    before = snapshot(session, ["survey", "feedback_sent_at"])
    tickets = SurveyTicket.objects.bulk_create(
        SurveyTicket(enrolment=enrolment, token_hash=new_token()[1])
        for enrolment in attended.exclude(survey_ticket__isnull=False).order_by("?")
    )
    session.survey = survey
    session.feedback_sent_at = session.feedback_sent_at or timezone.now()
    session.save(update_fields=["survey", "feedback_sent_at"])
    changes = diff(before, snapshot(session, ["survey", "feedback_sent_at"]))
    if tickets:
        changes["tickets"] = {"before": None, "after": len(tickets)}
    if changes:
        audit(
            actor=actor, action="training.feedback.sent", obj=session, changes=changes
        )
    if notify:  # the demo data makes tickets without emailing anyone
        transaction.on_commit(
            lambda: feedback_tasks.mail_feedback_links.enqueue(session_id=session.pk)
        )
    return len(tickets)


def sessions_due_for_feedback() -> Any:
    """Sessions whose survey should go out now: ended, not sent yet, and someone
    attended; or sent, still open, and someone was marked as attended since.

    A session not sent within ``FEEDBACK_DAYS`` of its end is left to a person to
    send by hand, so that old sessions never mail anyone out of the blue.
    """
    now = timezone.now()
    window = now - datetime.timedelta(days=settings.FEEDBACK_DAYS)
    attended = Enrolment.objects.filter(session=OuterRef("pk"), attended=True)
    lacking = attended.filter(survey_ticket__isnull=True)
    return (
        Session.objects.alias(has_attended=Exists(attended), lacks=Exists(lacking))
        .filter(
            Q(feedback_sent_at__isnull=True, ends_at__gt=window, has_attended=True)
            | Q(feedback_sent_at__gt=window, lacks=True),
            ends_at__lte=now,
            status=Session.Status.SCHEDULED,
        )
        .order_by("ends_at", "id")
    )


def send_due_feedback() -> int:
    """Send the survey of every session that is due (``sessions_due_for_feedback``)."""
    sent = 0
    for session in sessions_due_for_feedback():
        try:
            send_feedback(session=session, actor=None)
        except DomainError:
            continue  # cancelled or changed since the query: nothing to send
        sent += 1
    return sent


def claim_unsent(*, ticket_id: int) -> SurveyTicket | None:
    """Lock an unsent, unused ticket for emailing, or None when it was sent,
    answered, or is being emailed by another run right now (``skip_locked``).

    Call inside a transaction held until the email is sent and ``mark_sent``:
    then two mailing runs can never both email one ticket.
    """
    return (
        SurveyTicket.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related(
            "enrolment__staff__user",
            "enrolment__session__course__programme",
            "enrolment__session__survey",
        )
        .filter(pk=ticket_id, sent_at__isnull=True, used=False)
        .first()
    )


def reissue_token(*, ticket: SurveyTicket) -> str:
    """A new token for a claimed ticket (the old one is never known)."""
    token, ticket.token_hash = new_token()
    ticket.save(update_fields=["token_hash"])
    return token


def mark_sent(*, ticket: SurveyTicket) -> None:
    ticket.sent_at = timezone.now()
    ticket.save(update_fields=["sent_at"])


@transaction.atomic
def ticket_for_enrolment(*, enrolment: Enrolment, actor: Any) -> SurveyTicket:
    """The ticket of a participant who answers while signed in, made on demand.

    Only the person themself (the user linked to the staff record) may answer.
    """
    enrolment = Enrolment.objects.select_related(
        "staff", "session__course__programme"
    ).get(pk=enrolment.pk)
    if actor is None or enrolment.staff.user_id != actor.pk:
        raise DomainError(_("Only the participant may answer their survey."))
    if not enrolment.attended:
        raise DomainError(_("The survey is for those who attended the session."))
    if not has_ended(enrolment.session):
        raise DomainError(_("The survey opens once the session has ended."))
    if is_closed(enrolment.session):
        raise DomainError(closed_message(enrolment.session))
    ticket = SurveyTicket.objects.filter(enrolment=enrolment).first()
    if ticket is None:
        _make_tickets(enrolment.session)
        ticket = SurveyTicket.objects.get(enrolment=enrolment)
    return ticket


def _make_tickets(session: Session) -> None:
    """Tickets for every participant of the session who has none, all at once.

    Not one at a time as people open the survey: then the order of ticket ids (and
    any time kept on them) would follow the order of the answers, and so match the
    order of response ids. Made together, they say nothing about who answered
    when. Their tokens are throw-away ones (an email, if sent later, gets a new
    one); for the same reason they are not audited.

    The survey they answer is fixed on the session now, so that a new default
    survey cannot change what the remaining participants are asked.
    """
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("course__programme", "survey")
        .get(pk=session.pk)
    )
    if session.survey_id is None:
        session.survey = survey_for(session)
        if session.survey is not None:
            session.save(update_fields=["survey"])
    lacking = Enrolment.objects.filter(session=session, attended=True).exclude(
        survey_ticket__isnull=False
    )
    SurveyTicket.objects.bulk_create(
        SurveyTicket(enrolment=enrolment, token_hash=new_token()[1])
        for enrolment in lacking.order_by("?")
    )


# --- answering ---------------------------------------------------------------------


def _clean_answer(question: Question, raw: Any) -> tuple[int | None, str]:
    text = "" if raw is None else str(raw).strip()
    if question.kind == Question.Kind.LIKERT:
        if not text:
            return None, ""
        if not text.isdecimal() or int(text) not in SCORES:
            raise DomainError(
                _("“%(question)s”: choose a score from 1 to 5.")
                % {"question": question.text},
                field=f"q{question.pk}",
            )
        return int(text), ""
    if _CONTROL.search(text):
        raise DomainError(
            _("“%(question)s”: the text holds characters that cannot be saved.")
            % {"question": question.text},
            field=f"q{question.pk}",
        )
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("“%(question)s”: at most %(limit)s characters, please.")
            % {"question": question.text, "limit": MAX_TEXT},
            field=f"q{question.pk}",
        )
    return None, text


@transaction.atomic
def submit_response(*, ticket: SurveyTicket, answers: Mapping[int, Any]) -> None:
    """Record one participant's answers (``{question id: score or text}``) and use up
    their ticket. The ticket is the right to answer: no ``actor`` is needed.

    A used ticket, a closed survey, a participant no longer marked as attended, a
    missing required answer or a score outside 1–5 is refused and nothing is saved.
    """
    ticket = (
        SurveyTicket.objects.select_for_update(of=("self",))
        .select_related("enrolment__session", "enrolment__staff__library")
        .get(pk=ticket.pk)
    )
    if ticket.used:
        raise DomainError(_("This survey has already been answered. Thank you!"))
    if not ticket.enrolment.attended:
        raise DomainError(_("The survey is for those who attended the session."))
    session = ticket.enrolment.session
    if is_closed(session):
        raise DomainError(closed_message(session))
    survey = survey_for(session)
    if survey is None:
        raise DomainError(_("This session has no feedback survey."))
    rows = []
    for question in survey.questions.all():
        score, text = _clean_answer(question, answers.get(question.pk))
        if question.required and score is None and not text:
            raise DomainError(
                _("“%(question)s”: please answer this question.")
                % {"question": question.text},
                field=f"q{question.pk}",
            )
        if score is not None or text:
            rows.append(Answer(question=question, score=score, text=text))
    response = Response.objects.create(
        session=session,
        survey=survey,
        submitted_on=timezone.localdate(),
        enrolment=None if survey.anonymous else ticket.enrolment,
    )
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    # Residual risk (docs/operations.md, "Personal data"): PostgreSQL's hidden
    # ``xmin`` of the response rows and of this ticket row is the same transaction
    # id, so someone with SQL access could pair them until the ticket is rewritten.
    # Nothing in Methodica reads ``xmin``; database access is for administrators.
    ticket.used = True
    ticket.save(update_fields=["used"])
    if not survey.anonymous:
        audit(
            actor=ticket.enrolment.staff.user,
            action="training.response.submitted",
            obj=response,
            changes={"answers": {"before": None, "after": len(rows)}},
            library_id=ticket.enrolment.staff.library_id,
        )
    # An anonymous answer is not audited at all, on purpose. An entry "this ticket
    # was used" carries the exact time and, through the ticket, the person; beside
    # the response's day (and the order of response ids) it would tell who gave
    # which answers whenever few people answer on one day. The ticket's ``used``
    # flag, which has no time, is the only record that this person answered.


def _open_sessions(prefix: str = "") -> Q:
    """``is_closed`` as a query: sessions whose survey still takes answers."""
    window = timezone.now() - datetime.timedelta(days=settings.FEEDBACK_DAYS)
    return Q(**{f"{prefix}feedback_sent_at__gt": window}) | Q(
        **{f"{prefix}feedback_sent_at__isnull": True, f"{prefix}ends_at__gt": window}
    )


def pending_for(user: Any) -> list[Enrolment]:
    """The signed-in librarian's attended sessions whose survey they have not
    answered yet (and that have a survey to answer)."""
    if user is None or not user.is_authenticated:
        return []
    enrolments = (
        Enrolment.objects.filter(
            staff__user=user,
            attended=True,
            session__ends_at__lte=timezone.now(),
            session__status=Session.Status.SCHEDULED,
        )
        .filter(_open_sessions("session__"))
        .exclude(survey_ticket__used=True)
        .select_related("session__course__programme", "session__survey")
        .order_by("-session__starts_at")
    )
    defaults = set(
        Survey.objects.filter(is_default=True).values_list("district_id", flat=True)
    )
    return [
        e
        for e in enrolments
        if e.session.survey_id or e.session.course.programme.district_id in defaults
    ]
