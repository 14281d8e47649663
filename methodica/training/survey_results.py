"""What feedback says: per Likert item the distribution, the mean and the share
satisfied; the comments; and the comparison across sessions and courses.

The first functions are pure (scores in, figures out) and are tested with worked
examples. Results of an anonymous survey with fewer than ``MIN_RESPONSES`` answers
are withheld: with one or two answers, everyone knows who said what.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.training.models import Answer, Question, Response, Session, Survey
from methodica.training.surveys import closes_at, results_ready, survey_for

MIN_RESPONSES = 3
SCORES = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)


# --- results: pure computations ----------------------------------------------------


def _round(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LikertSummary:
    """What the scores of one Likert item say."""

    n: int
    counts: dict[int, int]
    mean: Decimal | None
    satisfied_percent: Decimal | None  # the share who answered 4 or 5

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(score, count, percent of the largest count) for a bar chart."""
        top = max(self.counts.values(), default=0) or 1
        return [(s, self.counts[s], round(100 * self.counts[s] / top)) for s in SCORES]


def likert_summary_from_counts(counts: Mapping[int, int]) -> LikertSummary:
    full = {score: int(counts.get(score, 0)) for score in SCORES}
    n = sum(full.values())
    if not n:
        return LikertSummary(n=0, counts=full, mean=None, satisfied_percent=None)
    total = sum(score * count for score, count in full.items())
    satisfied = sum(full[score] for score in SATISFIED)
    return LikertSummary(
        n=n,
        counts=full,
        mean=_round(Decimal(total) / n),
        satisfied_percent=_round(Decimal(100 * satisfied) / n, "1"),
    )


def likert_summary(scores: Iterable[int]) -> LikertSummary:
    """``[5, 4, 4, 2, 1]`` → n 5, mean 3.2, 60 % satisfied."""
    counts: dict[int, int] = defaultdict(int)
    for score in scores:
        counts[score] += 1
    return likert_summary_from_counts(counts)


def withheld(*, anonymous: bool, responses: int) -> bool:
    """Results of an anonymous survey with too few answers would name people."""
    return anonymous and responses < MIN_RESPONSES


# --- results of one session --------------------------------------------------------


@dataclass
class ItemResult:
    question: Question
    summary: LikertSummary | None = None
    comments: list[str] = field(default_factory=list)
    withheld: bool = False  # fewer than MIN_RESPONSES answers to this item


@dataclass
class SessionResults:
    session: Session
    survey: Survey | None
    responses: int | None  # None: not told while an anonymous survey is open
    hidden: bool
    items: list[ItemResult]
    waiting: bool = False  # hidden until the anonymous survey closes
    closes_at: Any = None


def session_results(session: Session) -> SessionResults:
    """Per Likert item its distribution, mean and share satisfied; per free-text
    item its comments, shuffled so that their order says nothing.

    For an anonymous survey nothing is shown while it is open (see
    ``surveys.results_ready``) or with fewer than ``MIN_RESPONSES`` responses, and
    an item answered by fewer than ``MIN_RESPONSES`` people is withheld alone.
    """
    answered = Response.objects.filter(session=session)
    # The survey the answers were given to, should the session's have changed
    # since; anonymous if any answer was given under that promise.
    given = list(Survey.objects.filter(responses__session=session).distinct())
    survey = given[0] if given else survey_for(session)
    anonymous = any(s.anonymous for s in given) or bool(survey and survey.anonymous)
    responses = answered.count()
    if survey is None:
        return SessionResults(session, None, responses, False, [])
    if anonymous and not results_ready(session):
        return SessionResults(
            session, survey, None, True, [], waiting=True, closes_at=closes_at(session)
        )
    if withheld(anonymous=anonymous, responses=responses):
        return SessionResults(session, survey, responses, True, [])
    items = [ItemResult(question=q) for q in survey.questions.all()]
    by_id = {item.question.pk: item for item in items}
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        Answer.objects.filter(response__session=session, score__isnull=False)
        .values("question_id", "score")
        .annotate(n=Count("id"))
    ):
        counts[row["question_id"]][row["score"]] = row["n"]
    texts = Answer.objects.filter(response__session=session).exclude(text="")
    for question_id, text in texts.values_list("question_id", "text"):
        if question_id in by_id:
            by_id[question_id].comments.append(text)
    for item in items:
        if item.question.kind == Question.Kind.LIKERT:
            item.summary = likert_summary_from_counts(counts.get(item.question.pk, {}))
            answers = item.summary.n
        else:
            answers = len(item.comments)
        if answers and withheld(anonymous=anonymous, responses=answers):
            item.summary, item.comments, item.withheld = None, [], True
        random.shuffle(item.comments)
    return SessionResults(session, survey, responses, False, items)


# --- comparison across sessions and courses ----------------------------------------


@dataclass
class ComparisonRow:
    label: str
    kind: str  # "session" or "course"
    responses: int | None  # None: withheld
    cells: list[LikertSummary | None]  # None: withheld (too few answers)


@dataclass
class Comparison:
    columns: list[str]
    rows: list[ComparisonRow]


def compare(sessions: Any) -> Comparison:
    """Sessions, then courses, against the Likert items (matched by their Bulgarian
    text, so the same standard item of different surveys is one column).

    A session of an anonymous survey is withheld whole while the survey is open or
    with fewer than ``MIN_RESPONSES`` responses, and a cell with fewer answers is
    withheld alone. A course's figures add up only what its sessions show: a
    withheld session or cell is left out of them, since a course total minus the
    sessions shown would otherwise give it away.
    """
    sessions = list(sessions.select_related("course__programme", "survey"))
    ids = [s.pk for s in sessions]
    keys: list[str] = []
    columns: list[str] = []  # what a reader sees: the text in their language
    column_of: dict[int, int] = {}
    answered = Response.objects.filter(session_id__in=ids).values("survey_id")
    questions = Question.objects.filter(
        kind=Question.Kind.LIKERT, survey_id__in=answered
    )
    for question in sorted(questions, key=lambda q: (q.position, q.pk)):
        key = (question.texts.get("bg") or question.text).strip()
        if key not in keys:
            keys.append(key)
            columns.append(question.text)
        column_of[question.pk] = keys.index(key)
    counts: dict[tuple[int, int], dict[int, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for row in (
        Answer.objects.filter(response__session_id__in=ids, question_id__in=column_of)
        .values("response__session_id", "question_id", "score")
        .annotate(n=Count("id"))
    ):
        key = (row["response__session_id"], column_of[row["question_id"]])
        counts[key][row["score"]] += row["n"]
    responses = dict(
        Response.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    anonymous: dict[int, bool] = defaultdict(bool)
    for session_id, is_anonymous in (
        Response.objects.filter(session_id__in=ids)
        .order_by()
        .values_list("session_id", "survey__anonymous")
        .distinct()
    ):
        anonymous[session_id] |= is_anonymous
    ready = _ready(sessions)
    rows = _comparison_rows(sessions, len(columns), counts, responses, anonymous, ready)
    return Comparison(columns, rows)


def _ready(sessions: list[Session]) -> set[int]:
    """``surveys.results_ready`` of each session, in two queries."""
    from methodica.training.models import SurveyTicket

    tickets = dict(
        SurveyTicket.objects.filter(enrolment__session__in=sessions)
        .values("enrolment__session_id")
        .annotate(unused=Count("id", filter=Q(used=False)))
        .values_list("enrolment__session_id", "unused")
    )
    now = timezone.now()
    return {
        s.pk
        for s in sessions
        if closes_at(s) <= now or (s.pk in tickets and not tickets[s.pk])
    }


def _cell(counts: Mapping[int, int], anonymous: bool) -> LikertSummary | None:
    summary = likert_summary_from_counts(counts)
    return None if withheld(anonymous=anonymous, responses=summary.n) else summary


def _comparison_rows(
    sessions: list[Session],
    width: int,
    counts: Mapping[tuple[int, int], Mapping[int, int]],
    responses: Mapping[int, int],
    anonymous: Mapping[int, bool],
    ready: set[int],
) -> list[ComparisonRow]:
    from django.utils.formats import date_format

    rows, by_course = [], defaultdict(list)
    for session in sessions:
        n = responses.get(session.pk)
        if not n:
            continue
        day = date_format(timezone.localtime(session.starts_at), "SHORT_DATE_FORMAT")
        label = f"{session.course.title}, {day}"
        hidden = anonymous[session.pk] and (
            session.pk not in ready or withheld(anonymous=True, responses=n)
        )
        if hidden:
            rows.append(ComparisonRow(label, "session", None, [None] * width))
            continue
        cells = [
            _cell(counts.get((session.pk, c), {}), anonymous[session.pk])
            for c in range(width)
        ]
        rows.append(ComparisonRow(label, "session", n, cells))
        by_course[session.course].append((n, cells))
    for course, shown in by_course.items():
        merged_cells: list[LikertSummary | None] = []
        for c in range(width):
            merged: dict[int, int] = defaultdict(int)
            parts = [cells[c] for _n, cells in shown]
            for part in parts:
                for score, count in (part.counts if part else {}).items():
                    merged[score] += count
            summary = likert_summary_from_counts(merged)
            merged_cells.append(None if not summary.n and None in parts else summary)
        total = sum(n for n, _cells in shown)
        rows.append(ComparisonRow(course.title, "course", total, merged_cells))
    return rows


def comparison_xlsx(comparison: Comparison, *, title: str) -> bytes:
    """The comparison as a workbook: aggregates only, never an answer or a name."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    from methodica.core.spreadsheets import xlsx_safe

    workbook = openpyxl.Workbook()
    workbook.properties.title = title
    sheet = workbook.active
    sheet.title = _("Feedback")[:31]
    header = [_("Session or course"), _("Kind"), _("Responses")]
    for column in comparison.columns:
        header += [
            _("%(item)s: mean") % {"item": column},
            _("%(item)s: %% satisfied") % {"item": column},
            _("%(item)s: n") % {"item": column},
        ]
    sheet.append([xlsx_safe(sheet, value) for value in header])
    kinds = {"session": _("session"), "course": _("course")}
    for row in comparison.rows:
        values: list[Any] = [row.label, kinds[row.kind], row.responses]
        for cell in row.cells:
            if cell is None:
                values += [None, None, None]
            else:
                values += [
                    float(cell.mean) if cell.mean is not None else None,
                    float(cell.satisfied_percent)
                    if cell.satisfied_percent is not None
                    else None,
                    cell.n,
                ]
        # Titles and question texts are typed by people: never a formula.
        sheet.append([xlsx_safe(sheet, value) for value in values])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 50
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
