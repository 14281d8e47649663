"""How the records behind a figure are shown: a caption, column headers and rows.

Survey answers are never listed: the figures count attendances, and satisfaction is
only ever an aggregate (see :func:`methodica.activity.reach.satisfaction`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from methodica.activity.formatting import num


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]]


def _date(value: Any) -> str:
    if value is None:
        return "—"
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _library(library: Any) -> Cell:
    if library is None:
        return Cell("—")
    return Cell(library.name, reverse("libraries:detail", args=[library.pk]))


def _consultation(c: Any) -> list[Cell]:
    return [
        Cell(_date(c.given_on)),
        _library(c.library) if c.library_id else Cell(c.person),
        Cell(c.get_channel_display()),
        Cell(c.topic.name if c.topic_id else "—"),
        Cell(c.question[:120]),
        Cell(num(c.minutes), numeric=True),
    ]


def _library_row(lib: Any) -> list[Cell]:
    return [
        _library(lib),
        Cell(lib.get_library_type_display()),
        Cell(lib.municipality.name),
        Cell(lib.settlement.name),
    ]


def _attendance(e: Any) -> list[Cell]:
    return [
        Cell(_date(e.session.starts_at)),
        Cell(e.session.course.title),
        Cell(e.staff.full_name),
        _library(e.staff.library),
        Cell(num(e.session.hours), numeric=True),
    ]


def _staff(s: Any) -> list[Cell]:
    return [Cell(s.full_name), Cell(s.position), _library(s.library)]


def _session(s: Any) -> list[Cell]:
    return [
        Cell(_date(s.starts_at)),
        Cell(s.course.programme.title),
        Cell(s.course.title),
        Cell(num(s.attended), numeric=True),
        Cell(num(s.hours), numeric=True),
    ]


def _visit(v: Any) -> list[Cell]:
    return [
        Cell(_date(v.visited_on)),
        _library(v.library),
        Cell(v.purpose or "—"),
        Cell(num(v.n_recommendations), numeric=True),
    ]


def _recommendation(r: Any) -> list[Cell]:
    return [
        _library(r.library),
        Cell(r.text[:160]),
        Cell(_date(r.due_on)),
        Cell(r.get_status_display()),
        Cell(_date(r.closed_on)),
    ]


def _layouts() -> dict[str, tuple[str, list[str], Callable[[Any], list[Cell]]]]:
    consultation = [
        _("Date"),
        _("Library or person"),
        _("Channel"),
        _("Topic"),
        _("Question"),
        _("Minutes"),
    ]
    library = [_("Library"), _("Type"), _("Municipality"), _("Settlement")]
    recommendation = [_("Library"), _("Recommendation"), _("Due"), _("Status")]
    recommendation.append(_("Closed on"))
    return {
        "consultations": (_("Consultations"), consultation, _consultation),
        "follow_ups_pending": (
            _("Consultations waiting for a follow-up"),
            consultation,
            _consultation,
        ),
        "consultation_libraries": (
            _("Libraries consulted"),
            library,
            _library_row,
        ),
        "attendances": (
            _("Attendances"),
            [_("Date"), _("Course"), _("Librarian"), _("Library"), _("Hours")],
            _attendance,
        ),
        "libraries_trained": (
            _("Libraries reached by training"),
            library,
            _library_row,
        ),
        "librarians_trained": (
            _("Librarians reached by training"),
            [_("Librarian"), _("Position"), _("Library")],
            _staff,
        ),
        "sessions": (
            _("Training sessions held"),
            [_("Date"), _("Programme"), _("Course"), _("Attended"), _("Hours")],
            _session,
        ),
        "visits": (
            _("Visits made"),
            [_("Date"), _("Library"), _("Purpose"), _("Recommendations")],
            _visit,
        ),
        "recommendations_made": (
            _("Recommendations made"),
            recommendation,
            _recommendation,
        ),
        "recommendations_closed": (
            _("Recommendations closed"),
            recommendation,
            _recommendation,
        ),
        "recommendations_dropped": (
            _("Recommendations dropped"),
            recommendation,
            _recommendation,
        ),
        "recommendations_open": (
            _("Recommendations still open"),
            recommendation,
            _recommendation,
        ),
        "recommendations_overdue": (
            _("Recommendations overdue"),
            recommendation,
            _recommendation,
        ),
        "reached": (_("Libraries reached by any help"), library, _library_row),
        "active_libraries": (_("Active libraries"), library, _library_row),
        "active_reached": (
            _("Active libraries reached by any help"),
            library,
            _library_row,
        ),
        "not_reached": (_("Active libraries not reached"), library, _library_row),
    }


def table_for(figure: str, objects: Iterable[Any]) -> Table:
    caption, headers, row = _layouts()[figure]
    return Table(caption, headers, [row(obj) for obj in objects])
