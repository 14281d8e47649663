"""The reach of methodological help and training, for a period and an area.

Pure queries: nothing here writes. Every figure is aggregated in SQL (seven queries
for the whole page, whatever the size of the district) and every figure can be
listed back as the records it counted, through :func:`records` with the same
period, area and the figure's name, so that a number in the annual report can be
traced to the consultations, visits or attendances behind it.

Counting rules (the annual report's appendix says the same in words):

- training: enrolments marked *attended* in the district's sessions that start in
  the period and were not cancelled, of staff of the area's libraries; a library or
  librarian counts once however many sessions they attended; the hours given are
  the sessions' hours of the sessions held (at least one attendee of the area),
  participant-hours the sum over the attendances;
- consultations: given in the period (``given_on``) and actually given: logged by a
  methodologist, or asked from inside Methodica and answered (a question still
  waiting for its first answer is not help given yet); in a municipality, only
  those given to its libraries (a consultation to a person, not a library, counts
  in the district only);
- visits: made (status *made*) with ``visited_on`` in the period; recommendations
  *made* are those left by these visits, *closed* those done or dropped with
  ``closed_on`` in the period (the dropped ones are also counted apart); *open*
  and *overdue* are as of today;
- reached: a library with a consultation, a visit made or an attendance in the
  period, whatever its status today; *active reached* are those of them still
  active, and their share is of the area's active libraries (a library closed
  since it was helped is reached, but neither active nor in the share).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from methodica.core.texts import in_language
from methodica.libraries.models import District, Library, Municipality, StaffMember
from methodica.support.models import Consultation, Recommendation, Visit
from methodica.training.models import Answer, Enrolment, Question, Session

ZERO = Decimal("0")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class Area:
    """The district, or one municipality of it."""

    district: District
    municipality: Municipality | None = None

    @property
    def name(self) -> str:
        return str(self.municipality or self.district)

    def libraries_q(self, prefix: str = "") -> Q:
        if self.municipality is not None:
            return Q(**{f"{prefix}municipality_id": self.municipality.pk})
        return Q(**{f"{prefix}municipality__district_id": self.district.pk})


@dataclass
class Row:
    """One line of a breakdown: its key (for the records link), label and counts."""

    key: str
    label: str
    count: int = 0
    extra: int | Decimal = 0
    total: int = 0

    @property
    def share(self) -> Decimal | None:
        """``count`` as a share of ``total`` (0..100, one decimal); None of none."""
        return share_of(self.count, self.total)


def share_of(part: int, whole: int) -> Decimal | None:
    """A share (0..100, one decimal), or None when there is nothing to share."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"))


@dataclass
class Reach:
    period: Period
    area: Area
    # training
    libraries_trained: int = 0
    librarians_trained: int = 0
    participations: int = 0
    participant_hours: Decimal = ZERO
    sessions_held: int = 0
    courses: int = 0
    hours_given: Decimal = ZERO
    trained_by_type: list[Row] = field(default_factory=list)
    trained_by_municipality: list[Row] = field(default_factory=list)
    sessions_by_programme: list[Row] = field(default_factory=list)
    # consultations
    consultations: int = 0
    consultation_minutes: int = 0
    consultation_libraries: int = 0
    follow_ups_pending: int = 0
    by_channel: list[Row] = field(default_factory=list)
    by_topic: list[Row] = field(default_factory=list)
    by_origin: list[Row] = field(default_factory=list)
    # visits
    visits_made: int = 0
    libraries_visited: int = 0
    recommendations_made: int = 0
    recommendations_closed: int = 0
    recommendations_dropped: int = 0
    recommendations_open: int = 0
    recommendations_overdue: int = 0
    # any help
    libraries_reached: int = 0
    active_libraries: int = 0
    active_reached: int = 0
    reached_by_municipality: list[Row] = field(default_factory=list)
    not_reached: list[Library] = field(default_factory=list)

    @property
    def share_reached(self) -> Decimal | None:
        """The share (0..100, one decimal) of the active libraries reached; None
        for an area without active libraries."""
        return share_of(self.active_reached, self.active_libraries)


# --- the base querysets: one per kind of record, shared by the figures and records


def attendances(period: Period, area: Area) -> QuerySet[Enrolment]:
    # ``__date`` is the day in the site's time zone (Europe/Sofia), so a session
    # at 00:30 on 1 January belongs to the new year.
    return Enrolment.objects.filter(
        area.libraries_q("staff__library__"),
        attended=True,
        session__status=Session.Status.SCHEDULED,
        session__course__programme__district=area.district,
        session__starts_at__date__range=(period.start, period.end),
    )


def sessions_held(period: Period, area: Area) -> QuerySet[Session]:
    return Session.objects.filter(
        Exists(attendances(period, area).filter(session=OuterRef("pk"))),
        status=Session.Status.SCHEDULED,
        course__programme__district=area.district,
    )


def _given_q() -> Q:
    """Help given: logged, or a question asked in Methodica that was answered."""
    return Q(origin=Consultation.Origin.LOGGED) | Q(answered_at__isnull=False)


def consultations(period: Period, area: Area) -> QuerySet[Consultation]:
    qs = Consultation.objects.filter(
        _given_q(),
        district=area.district,
        given_on__range=(period.start, period.end),
    )
    if area.municipality is not None:
        qs = qs.filter(library__municipality=area.municipality)
    return qs


def visits(period: Period, area: Area) -> QuerySet[Visit]:
    return Visit.objects.filter(
        area.libraries_q("library__"),
        status=Visit.Status.DONE,
        visited_on__range=(period.start, period.end),
    )


def recommendations(area: Area) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(area.libraries_q("library__"))


def _made_q(period: Period) -> Q:
    return Q(
        visit__status=Visit.Status.DONE,
        visit__visited_on__range=(period.start, period.end),
    )


CLOSED_STATUSES = (Recommendation.Status.DONE, Recommendation.Status.DROPPED)


def _closed_q(period: Period) -> Q:
    return Q(
        status__in=CLOSED_STATUSES,
        closed_on__range=(period.start, period.end),
    )


def _dropped_q(period: Period) -> Q:
    return Q(
        status=Recommendation.Status.DROPPED,
        closed_on__range=(period.start, period.end),
    )


def _open_q() -> Q:
    return Q(status__in=Recommendation.OPEN_STATUSES)


def _overdue_q() -> Q:
    return _open_q() & Q(due_on__lt=timezone.localdate())


def libraries_with_reach(period: Period, area: Area) -> QuerySet[Library]:
    """The area's libraries, each marked ``reached`` when any help reached it."""
    library = OuterRef("pk")
    return (
        Library.objects.filter(area.libraries_q())
        .annotate(
            reached=Exists(consultations(period, area).filter(library=library))
            | Exists(visits(period, area).filter(library=library))
            | Exists(attendances(period, area).filter(staff__library=library))
        )
        .select_related("municipality", "settlement")
        .order_by("municipality__name", "name", "pk")
    )


# --- the figures ---------------------------------------------------------------------


def compute(period: Period, area: Area) -> Reach:
    """Every figure of the period and area, in seven queries."""
    reach = Reach(period=period, area=area)
    _training(reach)
    _consultations(reach)
    _visits(reach)
    _reached(reach)
    return reach


def _training(reach: Reach) -> None:
    period, area = reach.period, reach.area
    groups = (
        attendances(period, area)
        .values(
            "staff__library__library_type",
            "staff__library__municipality_id",
            "staff__library__municipality__name",
        )
        .annotate(
            libraries=Count("staff__library", distinct=True),
            librarians=Count("staff", distinct=True),
            participations=Count("pk"),
            hours=Sum("session__hours"),
        )
        .order_by()
    )
    by_type: dict[str, Row] = {}
    by_mun: dict[int, Row] = {}
    types = dict(Library.Type.choices)
    # A library has one type and one municipality, so distinct counts add up
    # across these groups; a librarian works at one library.
    for g in groups:
        kind = g["staff__library__library_type"]
        mun = g["staff__library__municipality_id"]
        t = by_type.setdefault(kind, Row(kind, str(types.get(kind, kind))))
        m = by_mun.setdefault(
            mun, Row(str(mun), g["staff__library__municipality__name"])
        )
        for row in (t, m):
            row.count += g["libraries"]
            row.extra += g["librarians"]
        reach.libraries_trained += g["libraries"]
        reach.librarians_trained += g["librarians"]
        reach.participations += g["participations"]
        reach.participant_hours += g["hours"] or ZERO
    reach.trained_by_type = sorted(by_type.values(), key=lambda r: -r.count)
    reach.trained_by_municipality = sorted(by_mun.values(), key=lambda r: r.label)
    programmes = (
        sessions_held(period, area)
        .values("course__programme_id", "course__programme__title")
        .annotate(
            sessions=Count("pk"),
            courses=Count("course", distinct=True),
            hours=Sum("hours"),
        )
        .order_by("course__programme__title")
    )
    for p in programmes:
        reach.sessions_by_programme.append(
            Row(
                str(p["course__programme_id"]),
                p["course__programme__title"],
                p["sessions"],
                p["hours"] or ZERO,
            )
        )
        reach.sessions_held += p["sessions"]
        reach.courses += p["courses"]
        reach.hours_given += p["hours"] or ZERO


def _consultations(reach: Reach) -> None:
    qs = consultations(reach.period, reach.area)
    totals = qs.aggregate(
        total=Count("pk"),
        minutes=Sum("minutes"),
        libraries=Count("library", distinct=True),
        pending=Count("pk", filter=Q(follow_up=True, follow_up_done_on__isnull=True)),
    )
    reach.consultations = totals["total"]
    reach.consultation_minutes = totals["minutes"] or 0
    reach.consultation_libraries = totals["libraries"]
    reach.follow_ups_pending = totals["pending"]
    channels: dict[str, Row] = {}
    topics: dict[str, Row] = {}
    origins: dict[str, Row] = {}
    channel_names = dict(Consultation.Channel.choices)
    origin_names = dict(Consultation.Origin.choices)
    groups = qs.values("channel", "origin", "topic_id", "topic__names").annotate(
        n=Count("pk"), minutes=Sum("minutes")
    )
    for g in groups.order_by():
        topic_key = str(g["topic_id"] or "none")
        topic_label = (in_language(g["topic__names"]) if g["topic_id"] else "") or ("—")
        for rows, key, label in (
            (channels, g["channel"], channel_names.get(g["channel"], g["channel"])),
            (origins, g["origin"], origin_names.get(g["origin"], g["origin"])),
            (topics, topic_key, topic_label),
        ):
            row = rows.setdefault(key, Row(key, str(label)))
            row.count += g["n"]
            row.extra += g["minutes"] or 0
    reach.by_channel = [
        channels[c] for c in Consultation.Channel.values if c in channels
    ]
    reach.by_origin = [origins[c] for c in Consultation.Origin.values if c in origins]
    reach.by_topic = sorted(topics.values(), key=lambda r: (-r.count, r.label))


def _visits(reach: Reach) -> None:
    period, area = reach.period, reach.area
    made = visits(period, area).aggregate(
        n=Count("pk"), libraries=Count("library", distinct=True)
    )
    reach.visits_made, reach.libraries_visited = made["n"], made["libraries"]
    recs = recommendations(area).aggregate(
        made=Count("pk", filter=_made_q(period)),
        closed=Count("pk", filter=_closed_q(period)),
        dropped=Count("pk", filter=_dropped_q(period)),
        open=Count("pk", filter=_open_q()),
        overdue=Count("pk", filter=_overdue_q()),
    )
    reach.recommendations_made = recs["made"]
    reach.recommendations_closed = recs["closed"]
    reach.recommendations_dropped = recs["dropped"]
    reach.recommendations_open = recs["open"]
    reach.recommendations_overdue = recs["overdue"]


def _reached(reach: Reach) -> None:
    by_mun: dict[int, Row] = {}
    for library in libraries_with_reach(reach.period, reach.area):
        active = library.status == Library.Status.ACTIVE
        row = by_mun.setdefault(
            library.municipality_id,
            Row(str(library.municipality_id), library.municipality.name),
        )
        reach.libraries_reached += library.reached
        if active:
            reach.active_libraries += 1
            row.total += 1
            if library.reached:
                reach.active_reached += 1
                row.count += 1
            else:
                reach.not_reached.append(library)
    reach.reached_by_municipality = list(by_mun.values())


# Fewer answers than this and a mean would tell what one or two people said.
MIN_RESPONSES = 3


def satisfaction(period: Period, area: Area) -> dict[int, tuple[Decimal, int]]:
    """For each session held: the mean score of its Likert answers and the number
    of responses, for sessions with at least :data:`MIN_RESPONSES` responses.

    Aggregates only: no response, answer or respondent is ever read out, so an
    anonymous survey cannot be traced back through the report.
    """
    rows = (
        Answer.objects.filter(
            question__kind=Question.Kind.LIKERT,
            score__isnull=False,
            response__session__in=sessions_held(period, area),
        )
        .values("response__session_id")
        .annotate(
            total=Sum("score"),
            n=Count("pk"),
            responses=Count("response", distinct=True),
        )
        .filter(responses__gte=MIN_RESPONSES)
        .order_by()
    )
    return {
        r["response__session_id"]: (
            (Decimal(r["total"]) / r["n"]).quantize(Decimal("0.01")),
            r["responses"],
        )
        for r in rows
    }


# --- the records behind a figure ------------------------------------------------------

FIGURES = (
    "consultations",
    "consultation_libraries",
    "follow_ups_pending",
    "attendances",
    "libraries_trained",
    "librarians_trained",
    "sessions",
    "visits",
    "recommendations_made",
    "recommendations_closed",
    "recommendations_dropped",
    "recommendations_open",
    "recommendations_overdue",
    "reached",
    "active_libraries",
    "active_reached",
    "not_reached",
)


def records(figure: str, period: Period, area: Area, **filters: str) -> QuerySet[Any]:
    """The records counted by ``figure`` (one of :data:`FIGURES`).

    ``filters`` narrow a breakdown's line: ``channel``, ``topic`` (an id or
    ``none``), ``origin`` for consultations; ``type`` and ``municipality`` for
    training; ``programme`` for sessions; ``municipality`` for the libraries.
    Unknown figures raise ``KeyError``.
    """
    if figure not in FIGURES:
        raise KeyError(figure)
    if figure.startswith("consultation") or figure == "follow_ups_pending":
        qs: QuerySet[Any] = consultations(period, area).select_related(
            "library", "topic"
        )
        if filters.get("channel"):
            qs = qs.filter(channel=filters["channel"])
        if filters.get("origin"):
            qs = qs.filter(origin=filters["origin"])
        if filters.get("topic") == "none":
            qs = qs.filter(topic__isnull=True)
        elif filters.get("topic", "").isdigit():
            qs = qs.filter(topic_id=int(filters["topic"]))
        if figure == "follow_ups_pending":
            qs = qs.filter(follow_up=True, follow_up_done_on__isnull=True)
        if figure == "consultation_libraries":
            return _libraries(area).filter(pk__in=qs.values("library_id"))
        return qs
    if figure in ("attendances", "libraries_trained", "librarians_trained"):
        qs = attendances(period, area)
        if filters.get("type"):
            qs = qs.filter(staff__library__library_type=filters["type"])
        if filters.get("municipality", "").isdigit():
            qs = qs.filter(staff__library__municipality_id=int(filters["municipality"]))
        if figure == "libraries_trained":
            return _libraries(area).filter(pk__in=qs.values("staff__library_id"))
        if figure == "librarians_trained":
            return (
                StaffMember.objects.filter(pk__in=qs.values("staff_id"))
                .select_related("library")
                .order_by("library__name", "full_name", "pk")
            )
        return qs.select_related(
            "staff__library", "session__course__programme"
        ).order_by("session__starts_at", "staff__full_name", "pk")
    if figure == "sessions":
        qs = sessions_held(period, area).select_related("course__programme")
        if filters.get("programme", "").isdigit():
            qs = qs.filter(course__programme_id=int(filters["programme"]))
        return qs.annotate(
            attended=Count(
                "enrolments",
                filter=Q(enrolments__attended=True)
                & area.libraries_q("enrolments__staff__library__"),
            )
        ).order_by("starts_at", "pk")
    if figure == "visits":
        return (
            visits(period, area)
            .select_related("library", "methodologist")
            .annotate(n_recommendations=Count("recommendations"))
            .order_by("visited_on", "pk")
        )
    if figure.startswith("recommendations_"):
        q = {
            "recommendations_made": _made_q(period),
            "recommendations_closed": _closed_q(period),
            "recommendations_dropped": _dropped_q(period),
            "recommendations_open": _open_q(),
            "recommendations_overdue": _overdue_q(),
        }[figure]
        return (
            recommendations(area)
            .filter(q)
            .select_related("library", "visit")
            .order_by("due_on", "pk")
        )
    qs = libraries_with_reach(period, area)
    if filters.get("municipality", "").isdigit():
        qs = qs.filter(municipality_id=int(filters["municipality"]))
    if figure == "reached":
        return qs.filter(reached=True)
    if figure == "active_libraries":
        return qs.filter(status=Library.Status.ACTIVE)
    if figure == "active_reached":
        return qs.filter(reached=True, status=Library.Status.ACTIVE)
    return qs.filter(reached=False, status=Library.Status.ACTIVE)


def _libraries(area: Area) -> QuerySet[Library]:
    return (
        Library.objects.filter(area.libraries_q())
        .select_related("municipality", "settlement")
        .order_by("municipality__name", "name", "pk")
    )
