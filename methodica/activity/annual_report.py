"""The methodological department's activity report for a year: one content model.

:func:`build` computes the reach of the year (:mod:`methodica.activity.reach`) and
turns it into sections of paragraphs, tables and charts, in the active language;
two writers set the same content as DOCX (:mod:`.docx_writer`) and PDF
(:mod:`.pdf_writer`), so the two files can never say different things. Each number
in the text comes from the reach figures, and the appendix says which records each
one counted, so that it can be traced back in Methodica.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodica.activity import reach as reach_module
from methodica.activity.formatting import num, share
from methodica.activity.reach import Area, Period, Reach
from methodica.core.permissions import has_perm

__all__ = ["Chart", "Paragraph", "Report", "Section", "Table", "build", "num"]

SURVEY_RESULTS = "training.survey:results"


@dataclass
class Paragraph:
    text: str


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    # Columns set flush right: the numbers.
    numeric: tuple[int, ...] = ()


@dataclass
class Chart:
    title: str
    labels: list[str]
    values: list[float]

    def png(self) -> bytes:
        return bar_chart_png(self.labels, self.values)

    def description(self) -> str:
        """The chart in words, for those who cannot see it (the image's alt text)."""
        bars = "; ".join(
            _("%(label)s: %(value)s") % {"label": label, "value": num(value)}
            for label, value in zip(self.labels, self.values, strict=True)
        )
        return _("%(title)s. %(bars)s") % {"title": self.title, "bars": bars}


Block = Paragraph | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]
    reach: Reach


def build(period: Period, area: Area, *, user: Any) -> Report:
    """The report of ``period`` (a calendar year) for ``area``, as ``user`` may read
    it: the sessions' satisfaction means only where they may see survey results
    (``training.survey:results`` is district-wide, so a municipal methodologist's
    report has none)."""
    figures = reach_module.compute(period, area)
    year = str(period.start.year)
    return Report(
        title=_("Methodological activity in %(year)s") % {"year": year},
        subtitle=_("%(area)s, %(period)s; made in Methodica on %(today)s")
        % {
            "area": area.name,
            "period": _period(period),
            "today": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        },
        sections=[
            Section(_("Summary"), [Paragraph(summary(figures))]),
            _consultations(figures),
            _visits(figures),
            _training(figures, user),
            _reached(figures),
            _sources(figures),
        ],
        reach=figures,
    )


def _period(period: Period) -> str:
    return _("%(start)s – %(end)s") % {
        "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(period.end, "SHORT_DATE_FORMAT"),
    }


def summary(r: Reach) -> str:
    """The year in words, as such reports say it, in whole sentences (one for each
    kind of help, one for the reach): every number from ``r``."""
    return " ".join(
        [
            _consultation_sentence(r),
            _visit_sentence(r),
            _training_sentence(r),
            _reach_sentence(r),
        ]
    )


def _consultation_sentence(r: Reach) -> str:
    values = {
        "year": str(r.period.start.year),
        "count": num(r.consultations),
        "libraries": num(r.consultation_libraries),
        "channels": ", ".join(
            _("%(channel)s: %(count)s")
            % {"channel": row.label, "count": num(row.count)}
            for row in r.by_channel
        ),
    }
    if not r.by_channel:
        return (
            ngettext(
                "In %(year)s the department gave %(count)s consultation; libraries "
                "consulted: %(libraries)s.",
                "In %(year)s the department gave %(count)s consultations; libraries "
                "consulted: %(libraries)s.",
                r.consultations,
            )
            % values
        )
    return (
        ngettext(
            "In %(year)s the department gave %(count)s consultation (%(channels)s); "
            "libraries consulted: %(libraries)s.",
            "In %(year)s the department gave %(count)s consultations (%(channels)s); "
            "libraries consulted: %(libraries)s.",
            r.consultations,
        )
        % values
    )


def _visit_sentence(r: Reach) -> str:
    return ngettext(
        "It made %(count)s visit (libraries visited: %(libraries)s); recommendations "
        "left: %(made)s; closed in the year: %(closed)s, of them dropped: "
        "%(dropped)s.",
        "It made %(count)s visits (libraries visited: %(libraries)s); recommendations "
        "left: %(made)s; closed in the year: %(closed)s, of them dropped: "
        "%(dropped)s.",
        r.visits_made,
    ) % {
        "count": num(r.visits_made),
        "libraries": num(r.libraries_visited),
        "made": num(r.recommendations_made),
        "closed": num(r.recommendations_closed),
        "dropped": num(r.recommendations_dropped),
    }


def _training_sentence(r: Reach) -> str:
    values = {
        "count": num(r.sessions_held),
        "programmes": ", ".join(
            _("«%(programme)s»: %(count)s")
            % {"programme": row.label, "count": num(row.count)}
            for row in r.sessions_by_programme
        ),
        "participations": num(r.participations),
        "librarians": num(r.librarians_trained),
        "libraries": num(r.libraries_trained),
        "hours": num(r.hours_given),
    }
    if not r.sessions_by_programme:
        return (
            ngettext(
                "It held %(count)s training session; participations: "
                "%(participations)s; colleagues trained: %(librarians)s, from libraries: "
                "%(libraries)s; academic hours in total: %(hours)s.",
                "It held %(count)s training sessions; participations: "
                "%(participations)s; colleagues trained: %(librarians)s, from libraries: "
                "%(libraries)s; academic hours in total: %(hours)s.",
                r.sessions_held,
            )
            % values
        )
    return (
        ngettext(
            "It held %(count)s training session (%(programmes)s); participations: "
            "%(participations)s; colleagues trained: %(librarians)s, from libraries: "
            "%(libraries)s; academic hours in total: %(hours)s.",
            "It held %(count)s training sessions (%(programmes)s); participations: "
            "%(participations)s; colleagues trained: %(librarians)s, from libraries: "
            "%(libraries)s; academic hours in total: %(hours)s.",
            r.sessions_held,
        )
        % values
    )


def _reach_sentence(r: Reach) -> str:
    return ngettext(
        "Altogether %(count)s library was reached by some form of help; active "
        "libraries reached: %(active_reached)s of %(active)s (%(share)s).",
        "Altogether %(count)s libraries were reached by some form of help; active "
        "libraries reached: %(active_reached)s of %(active)s (%(share)s).",
        r.libraries_reached,
    ) % {
        "count": num(r.libraries_reached),
        "active_reached": num(r.active_reached),
        "active": num(r.active_libraries),
        "share": share(r.share_reached),
    }


def _consultations(r: Reach) -> Section:
    blocks: list[Block] = [
        Paragraph(
            ngettext(
                "%(count)s consultation was given in the period; minutes spent: "
                "%(minutes)s; follow-ups still pending: %(pending)s.",
                "%(count)s consultations were given in the period; minutes spent: "
                "%(minutes)s; follow-ups still pending: %(pending)s.",
                r.consultations,
            )
            % {
                "count": num(r.consultations),
                "minutes": num(r.consultation_minutes),
                "pending": num(r.follow_ups_pending),
            }
        ),
        Table(
            _("Consultations by channel"),
            [_("Channel"), _("Consultations"), _("Minutes")],
            [[row.label, num(row.count), num(row.extra)] for row in r.by_channel],
            (1, 2),
        ),
    ]
    if r.by_channel:
        blocks.append(
            Chart(
                _("Consultations by channel"),
                [row.label for row in r.by_channel],
                [row.count for row in r.by_channel],
            )
        )
    blocks.append(
        Table(
            _("Consultations by topic"),
            [_("Topic"), _("Consultations")],
            [[row.label, num(row.count)] for row in r.by_topic],
            (1,),
        )
    )
    blocks.append(
        Table(
            _("Consultations by origin"),
            [_("Origin"), _("Consultations")],
            [[row.label, num(row.count)] for row in r.by_origin],
            (1,),
        )
    )
    return Section(_("Consultations"), blocks)


def _visits(r: Reach) -> Section:
    visits = reach_module.records("visits", r.period, r.area)
    rows = [
        [
            formats.date_format(v.visited_on, "SHORT_DATE_FORMAT"),
            v.library.name,
            v.purpose or "—",
            num(v.n_recommendations),
        ]
        for v in visits
    ]
    return Section(
        _("Visits"),
        [
            Paragraph(
                ngettext(
                    "%(count)s visit was made in the period; libraries visited: "
                    "%(libraries)s.",
                    "%(count)s visits were made in the period; libraries visited: "
                    "%(libraries)s.",
                    r.visits_made,
                )
                % {"count": num(r.visits_made), "libraries": num(r.libraries_visited)}
            ),
            Table(
                _("Visits made"),
                [_("Date"), _("Library"), _("Purpose"), _("Recommendations")],
                rows,
                (3,),
            ),
            Table(
                _("Recommendations"),
                [_("Recommendations"), _("Number")],
                [
                    [_("made at the visits of the year"), num(r.recommendations_made)],
                    [
                        _("closed in the year (done or dropped)"),
                        num(r.recommendations_closed),
                    ],
                    [_("of them dropped"), num(r.recommendations_dropped)],
                    [_("still open today"), num(r.recommendations_open)],
                    [_("of them overdue"), num(r.recommendations_overdue)],
                ],
                (1,),
            ),
        ],
    )


def _training(r: Reach, user: Any) -> Section:
    sessions = list(
        reach_module.records("sessions", r.period, r.area).annotate(
            libraries=Count(
                "enrolments__staff__library",
                distinct=True,
                filter=Q(enrolments__attended=True)
                & r.area.libraries_q("enrolments__staff__library__"),
            )
        )
    )
    # Survey results are the trainers' and the district's: only those who may see
    # a session's results get its mean, and without any the column is left out.
    visible = {s.pk for s in sessions if has_perm(user, SURVEY_RESULTS, s)}
    means = reach_module.satisfaction(r.period, r.area) if visible else {}
    headers = [_("Date"), _("Course"), _("Participants"), _("Libraries"), _("Hours")]
    if visible:
        headers.append(_("Satisfaction (mean, 1–5)"))
    rows = []
    for s in sessions:
        row = [
            formats.date_format(
                timezone.localtime(s.starts_at).date(), "SHORT_DATE_FORMAT"
            ),
            s.course.title,
            num(s.attended),
            num(s.libraries),
            num(s.hours),
        ]
        if visible:
            mean = means.get(s.pk) if s.pk in visible else None
            row.append(num(mean[0]) if mean else "—")
        rows.append(row)
    blocks: list[Block] = [
        Paragraph(
            ngettext(
                "%(count)s training session was held (courses: %(courses)s; academic "
                "hours: %(hours)s); participations: %(participations)s; colleagues "
                "trained: %(librarians)s; libraries: %(libraries)s; "
                "participant-hours: %(person_hours)s.",
                "%(count)s training sessions were held (courses: %(courses)s; "
                "academic hours: %(hours)s); participations: %(participations)s; "
                "colleagues trained: %(librarians)s; libraries: %(libraries)s; "
                "participant-hours: %(person_hours)s.",
                r.sessions_held,
            )
            % {
                "count": num(r.sessions_held),
                "courses": num(r.courses),
                "hours": num(r.hours_given),
                "participations": num(r.participations),
                "librarians": num(r.librarians_trained),
                "libraries": num(r.libraries_trained),
                "person_hours": num(r.participant_hours),
            }
        ),
        Table(
            _("Training sessions held"),
            headers,
            rows,
            (2, 3, 4, 5) if visible else (2, 3, 4),
        ),
        Table(
            _("Reached by training, by library type"),
            [_("Type"), _("Libraries"), _("Librarians")],
            [[row.label, num(row.count), num(row.extra)] for row in r.trained_by_type],
            (1, 2),
        ),
    ]
    if r.trained_by_municipality:
        blocks.append(
            Chart(
                _("Libraries reached by training, by municipality"),
                [row.label for row in r.trained_by_municipality],
                [row.count for row in r.trained_by_municipality],
            )
        )
    return Section(_("Training"), blocks)


def _reached(r: Reach) -> Section:
    rows = [
        [row.label, num(row.count), num(row.total), share(row.share)]
        for row in r.reached_by_municipality
    ]
    return Section(
        _("Reach"),
        [
            Paragraph(
                ngettext(
                    "%(count)s library was reached by some form of help (a "
                    "consultation, a visit or training); active libraries reached: "
                    "%(active_reached)s of %(active)s (%(share)s); active libraries "
                    "not reached: %(not_reached)s.",
                    "%(count)s libraries were reached by some form of help (a "
                    "consultation, a visit or training); active libraries reached: "
                    "%(active_reached)s of %(active)s (%(share)s); active libraries "
                    "not reached: %(not_reached)s.",
                    r.libraries_reached,
                )
                % {
                    "count": num(r.libraries_reached),
                    "active_reached": num(r.active_reached),
                    "active": num(r.active_libraries),
                    "share": share(r.share_reached),
                    "not_reached": num(len(r.not_reached)),
                }
            ),
            Table(
                _("Active libraries reached, by municipality"),
                [_("Municipality"), _("Reached"), _("Active libraries"), _("Share")],
                rows,
                (1, 2, 3),
            ),
        ],
    )


def records_url(r: Reach, figure: str) -> str:
    """The records page that lists what ``figure`` counted, for the same period and
    area (absolute when the site's address is configured)."""
    query = {
        "figure": figure,
        "start": r.period.start.isoformat(),
        "end": r.period.end.isoformat(),
    }
    if r.area.municipality is not None:
        query["municipality"] = str(r.area.municipality.pk)
    return f"{settings.SITE_URL}{reverse('activity:records')}?{urlencode(query)}"


def _source_lines(r: Reach) -> list[tuple[str, str, str, str]]:
    """(figure, what it counts, its value, the records figure) for every number the
    report's text says."""
    p = {"period": _period(r.period)}
    return [
        (
            _("consultations"),
            _(
                "consultations dated %(period)s, logged by a methodologist or asked "
                "in Methodica and answered"
            )
            % p,
            num(r.consultations),
            "consultations",
        ),
        (
            _("minutes spent"),
            _("the minutes recorded on those consultations"),
            num(r.consultation_minutes),
            "consultations",
        ),
        (
            _("libraries consulted"),
            _("distinct libraries among those consultations"),
            num(r.consultation_libraries),
            "consultation_libraries",
        ),
        (
            _("follow-ups pending"),
            _("those consultations whose follow-up is not done yet"),
            num(r.follow_ups_pending),
            "follow_ups_pending",
        ),
        (
            _("visits"),
            _("visits marked as made, visited %(period)s") % p,
            num(r.visits_made),
            "visits",
        ),
        (
            _("libraries visited"),
            _("distinct libraries among those visits"),
            num(r.libraries_visited),
            "visits",
        ),
        (
            _("recommendations made"),
            _("recommendations left at those visits"),
            num(r.recommendations_made),
            "recommendations_made",
        ),
        (
            _("recommendations closed"),
            _("recommendations marked done or dropped with a closing date %(period)s")
            % p,
            num(r.recommendations_closed),
            "recommendations_closed",
        ),
        (
            _("recommendations dropped"),
            _("of them, those dropped"),
            num(r.recommendations_dropped),
            "recommendations_dropped",
        ),
        (
            _("recommendations open"),
            _("the area's recommendations open or in progress today"),
            num(r.recommendations_open),
            "recommendations_open",
        ),
        (
            _("recommendations overdue"),
            _("of them, those past their due date today"),
            num(r.recommendations_overdue),
            "recommendations_overdue",
        ),
        (
            _("training sessions"),
            _(
                "the district's sessions starting %(period)s, not cancelled, with "
                "at least one attendee of the area"
            )
            % p,
            num(r.sessions_held),
            "sessions",
        ),
        (
            _("courses"),
            _("distinct courses of those sessions"),
            num(r.courses),
            "sessions",
        ),
        (
            _("academic hours"),
            _("the academic hours of those sessions"),
            num(r.hours_given),
            "sessions",
        ),
        (
            _("participations"),
            _("enrolments of the area's staff marked as attended in those sessions"),
            num(r.participations),
            "attendances",
        ),
        (
            _("participant-hours"),
            _("the session's academic hours, summed over those attendances"),
            num(r.participant_hours),
            "attendances",
        ),
        (
            _("colleagues trained"),
            _("distinct staff records among those attendances"),
            num(r.librarians_trained),
            "librarians_trained",
        ),
        (
            _("libraries trained"),
            _("distinct libraries of those staff records"),
            num(r.libraries_trained),
            "libraries_trained",
        ),
        (
            _("libraries reached"),
            _(
                "distinct libraries with a consultation, a visit made or an "
                "attendance %(period)s, whatever their status today"
            )
            % p,
            num(r.libraries_reached),
            "reached",
        ),
        (
            _("active libraries"),
            _("the area's libraries active today"),
            num(r.active_libraries),
            "active_libraries",
        ),
        (
            _("active libraries reached"),
            _("of them, those reached"),
            num(r.active_reached),
            "active_reached",
        ),
        (
            _("share reached"),
            _("active libraries reached, of the active libraries"),
            share(r.share_reached),
            "active_reached",
        ),
        (
            _("active libraries not reached"),
            _("active libraries with no consultation, visit made or attendance"),
            num(len(r.not_reached)),
            "not_reached",
        ),
    ]


def _sources(r: Reach) -> Section:
    return Section(
        _("Sources of the figures"),
        [
            Paragraph(
                _("%(figure)s: %(what)s; n=%(value)s; the records: %(url)s")
                % {
                    "figure": figure,
                    "what": what,
                    "value": value,
                    "url": records_url(r, records_figure),
                }
            )
            for figure, what, value, records_figure in _source_lines(r)
        ],
    )


def bar_chart_png(labels: list[str], values: list[float]) -> bytes:
    """A horizontal bar chart as PNG, drawn with matplotlib's object API (no pyplot,
    no global state) in DejaVu Sans, which matplotlib ships and which has Cyrillic."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    height = min(1.2 + 0.3 * len(labels), 12)
    figure = Figure(figsize=(6.5, height), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.barh(positions, values, color="#1f4e79")
    axes.set_yticks(positions, labels, fontfamily="DejaVu Sans", fontsize=8)
    axes.invert_yaxis()
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, value in zip(positions, values, strict=True):
        axes.text(value, position, " " + num(value), va="center", fontsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
