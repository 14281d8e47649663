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
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodica.activity import reach as reach_module
from methodica.activity.reach import Area, Period, Reach


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


def num(value: int | Decimal | float) -> str:
    """A number as the active language writes it: whole numbers without decimals,
    others with one (academic hours, means are rounded by the caller)."""
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        places = 0
    else:
        places = min(2, -int(exact.normalize().as_tuple().exponent))
    return formats.number_format(exact, decimal_pos=places, force_grouping=True)


def build(period: Period, area: Area) -> Report:
    """The report of ``period`` (a calendar year) for ``area``."""
    figures = reach_module.compute(period, area)
    year = str(period.start.year)
    return Report(
        title=_("Methodological activity in %(year)s") % {"year": year},
        subtitle=_("%(area)s, %(start)s – %(end)s; made in Methodica on %(today)s")
        % {
            "area": area.name,
            "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(period.end, "SHORT_DATE_FORMAT"),
            "today": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        },
        sections=[
            Section(_("Summary"), [Paragraph(summary(figures))]),
            _consultations(figures),
            _visits(figures),
            _training(figures),
            _reached(figures),
            _sources(figures),
        ],
        reach=figures,
    )


def summary(r: Reach) -> str:
    """The year in words, as such reports say it: every number from ``r``."""
    year = str(r.period.start.year)
    channels = ", ".join(
        _("%(channel)s %(count)s") % {"channel": row.label, "count": num(row.count)}
        for row in r.by_channel
    )
    parts = [
        ngettext(
            "In %(year)s the department gave %(count)s consultation",
            "In %(year)s the department gave %(count)s consultations",
            r.consultations,
        )
        % {"year": year, "count": num(r.consultations)}
    ]
    if channels:
        parts.append(_(" (%(list)s)") % {"list": channels})
    parts.append(
        ngettext(
            " to %(count)s library", " to %(count)s libraries", r.consultation_libraries
        )
        % {"count": num(r.consultation_libraries)}
    )
    parts.append(
        ngettext("; made %(count)s visit", "; made %(count)s visits", r.visits_made)
        % {"count": num(r.visits_made)}
    )
    parts.append(
        ngettext(
            " to %(count)s library", " to %(count)s libraries", r.libraries_visited
        )
        % {"count": num(r.libraries_visited)}
    )
    parts.append(
        ngettext(
            " and left %(count)s recommendation",
            " and left %(count)s recommendations",
            r.recommendations_made,
        )
        % {"count": num(r.recommendations_made)}
    )
    parts.append(
        ngettext(
            ", and %(count)s recommendation was closed in the year",
            ", and %(count)s recommendations were closed in the year",
            r.recommendations_closed,
        )
        % {"count": num(r.recommendations_closed)}
    )
    programmes = ", ".join(
        _("%(count)s in «%(programme)s»")
        % {"count": num(row.count), "programme": row.label}
        for row in r.sessions_by_programme
    )
    parts.append(
        ngettext(
            "; held %(count)s training session",
            "; held %(count)s training sessions",
            r.sessions_held,
        )
        % {"count": num(r.sessions_held)}
    )
    if programmes:
        parts.append(_(" (%(list)s)") % {"list": programmes})
    parts.append(
        ngettext(
            " with %(count)s participation",
            " with %(count)s participations",
            r.participations,
        )
        % {"count": num(r.participations)}
    )
    parts.append(
        ngettext(
            " of %(count)s colleague", " of %(count)s colleagues", r.librarians_trained
        )
        % {"count": num(r.librarians_trained)}
    )
    parts.append(
        ngettext(
            " from %(count)s library", " from %(count)s libraries", r.libraries_trained
        )
        % {"count": num(r.libraries_trained)}
    )
    parts.append(
        ngettext(
            ", %(count)s academic hour in total.",
            ", %(count)s academic hours in total.",
            int(r.hours_given),
        )
        % {"count": num(r.hours_given)}
    )
    parts.append(" ")
    parts.append(
        ngettext(
            "Altogether %(count)s library was reached by some form of help",
            "Altogether %(count)s libraries were reached by some form of help",
            r.libraries_reached,
        )
        % {"count": num(r.libraries_reached)}
    )
    parts.append(
        _(", %(share)s%% of the %(active)s active libraries.")
        % {"share": num(r.share_reached), "active": num(r.active_libraries)}
    )
    return "".join(parts)


def _consultations(r: Reach) -> Section:
    blocks: list[Block] = [
        Paragraph(
            _(
                "Consultations: %(count)s, %(minutes)s minutes spent; "
                "follow-ups still pending: %(pending)s."
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
                _("Visits made: %(visits)s, to %(libraries)s libraries.")
                % {"visits": num(r.visits_made), "libraries": num(r.libraries_visited)}
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
                    [_("closed in the year"), num(r.recommendations_closed)],
                    [_("still open today"), num(r.recommendations_open)],
                    [_("of them overdue"), num(r.recommendations_overdue)],
                ],
                (1,),
            ),
        ],
    )


def _training(r: Reach) -> Section:
    means = reach_module.satisfaction(r.period, r.area)
    sessions = reach_module.records("sessions", r.period, r.area).annotate(
        libraries=Count(
            "enrolments__staff__library",
            distinct=True,
            filter=Q(enrolments__attended=True)
            & r.area.libraries_q("enrolments__staff__library__"),
        )
    )
    rows = []
    for s in sessions:
        mean = means.get(s.pk)
        rows.append(
            [
                formats.date_format(
                    timezone.localtime(s.starts_at).date(), "SHORT_DATE_FORMAT"
                ),
                s.course.title,
                num(s.attended),
                num(s.libraries),
                num(s.hours),
                num(mean[0]) if mean else "—",
            ]
        )
    blocks: list[Block] = [
        Paragraph(
            _(
                "Sessions held: %(sessions)s of %(courses)s courses, %(hours)s "
                "academic hours; %(participations)s participations of %(librarians)s "
                "librarians from %(libraries)s libraries, %(person_hours)s "
                "participant-hours."
            )
            % {
                "sessions": num(r.sessions_held),
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
            [
                _("Date"),
                _("Course"),
                _("Participants"),
                _("Libraries"),
                _("Hours"),
                _("Satisfaction (mean, 1–5)"),
            ],
            rows,
            (2, 3, 4, 5),
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
    rows = []
    for row in r.reached_by_municipality:
        share = Decimal(100 * row.count) / row.total if row.total else Decimal(0)
        rows.append(
            [
                row.label,
                num(row.count),
                num(row.total),
                num(share.quantize(Decimal("0.1"))) + " %",
            ]
        )
    return Section(
        _("Reach"),
        [
            Paragraph(
                _(
                    "Libraries reached by any form of help (a consultation, a visit "
                    "or training): %(reached)s; %(share)s%% of the %(active)s active "
                    "libraries. Not reached: %(not_reached)s active libraries."
                )
                % {
                    "reached": num(r.libraries_reached),
                    "share": num(r.share_reached),
                    "active": num(r.active_libraries),
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


def _sources(r: Reach) -> Section:
    period = str(r.period)
    lines = [
        (
            _("consultations"),
            _("consultation records dated %(period)s") % {"period": period},
            r.consultations,
        ),
        (
            _("visits"),
            _("visits marked as made, visited on %(period)s") % {"period": period},
            r.visits_made,
        ),
        (
            _("recommendations made"),
            _("recommendations of the visits made in %(period)s") % {"period": period},
            r.recommendations_made,
        ),
        (
            _("recommendations closed"),
            _("recommendations marked done with a closing date in %(period)s")
            % {"period": period},
            r.recommendations_closed,
        ),
        (
            _("training sessions"),
            _("sessions starting in %(period)s with at least one attendee")
            % {"period": period},
            r.sessions_held,
        ),
        (
            _("participations"),
            _("enrolments marked as attended in those sessions"),
            r.participations,
        ),
        (
            _("colleagues"),
            _("distinct staff records among those attendances"),
            r.librarians_trained,
        ),
        (
            _("libraries reached"),
            _("distinct libraries with a consultation, a visit made or an attendance"),
            r.libraries_reached,
        ),
    ]
    return Section(
        _("Sources of the figures"),
        [
            Paragraph(
                _("%(figure)s: %(what)s in Methodica, n=%(count)s")
                % {"figure": figure, "what": what, "count": num(count)}
            )
            for figure, what, count in lines
        ],
    )


def bar_chart_png(labels: list[str], values: list[float]) -> bytes:
    """A horizontal bar chart as PNG, drawn with matplotlib's object API (no pyplot,
    no global state) in DejaVu Sans, which matplotlib ships and which has Cyrillic."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = min(1.2 + 0.3 * len(labels), 12)
    figure = Figure(figsize=(6.5, height), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.barh(positions, values, color="#1f4e79")
    axes.set_yticks(positions, labels, fontfamily="DejaVu Sans", fontsize=8)
    axes.invert_yaxis()
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.get_major_locator().set_params(integer=True)
    for position, value in zip(positions, values, strict=True):
        axes.text(value, position, " " + num(value), va="center", fontsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
