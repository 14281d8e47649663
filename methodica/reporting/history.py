"""Importing past years from the consolidated spreadsheet (one row per library, one
column per indicator): map the columns, preview, then write accepted reports.

Nothing is written until a preview without errors is confirmed; then the year's
form and a closed campaign are created if missing, and every row becomes an
accepted report, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.core.audit import audit
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.core.spreadsheets import Table, read_table
from methodica.libraries.models import District, Library
from methodica.reporting import default_form, formulas, services
from methodica.reporting.models import (
    Campaign,
    HistoryImport,
    Indicator,
    Report,
    ReportForm,
    ReportValue,
)
from methodica.reporting.reading import as_value
from methodica.reporting.validation import CellError, parse_cell

LIBRARY = "__library__"
_LIBRARY_HEADERS = {
    "библиотека",
    "наименование",
    "library",
    "name",
    "библиотека/читалище",
    "рег. номер",
    "рег. №",
    "регистрационен номер",
    "номер",
}


def _normal(text: str) -> str:
    return " ".join(str(text).lower().split()).strip(" :")


def default_indicators() -> dict[str, Indicator]:
    """The default form's indicators, unsaved: enough to parse and name cells."""
    return {
        code: Indicator(
            code=code,
            names={"bg": bg, "ru": ru, "en": en},
            unit=unit,
            value_type=kind,
            required=required,
        )
        for _s, _n, rows in default_form.SECTIONS
        for code, bg, ru, en, unit, kind, required in rows
    }


def guess_mapping(headers: list[str]) -> dict[str, str]:
    known: dict[str, str] = {}
    for code, indicator in default_indicators().items():
        known.setdefault(_normal(code), code)
        for name in indicator.names.values():
            known.setdefault(_normal(name), code)
    mapping, taken = {}, set()
    for header in headers:
        normal = _normal(header)
        key = (
            LIBRARY
            if normal in _LIBRARY_HEADERS and LIBRARY not in taken
            else known.get(normal)
        )
        if key and key not in taken:
            mapping[header] = key
            taken.add(key)
    return mapping


@dataclass
class HistoryRow:
    number: int
    library: str = ""
    library_id: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)


def _find_library(text: str, libraries: list[Library]) -> Library | None:
    wanted = _normal(text)
    for library in libraries:
        if (
            wanted
            in {_normal(library.chitalishte_number), _normal(library.register_number)}
            and wanted
        ):
            return library
    named = [lib for lib in libraries if _normal(lib.name) == wanted]
    return named[0] if len(named) == 1 else None


def build_preview(
    *, district: District, year: int, table: Table, mapping: dict[str, str]
) -> list[HistoryRow]:
    indicators = default_indicators()
    libraries = list(Library.objects.filter(municipality__district=district))
    reported = set(
        Report.objects.filter(
            campaign__form__district=district,
            campaign__form__year=year,
            status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
        ).values_list("library_id", flat=True)
    )
    library_header = next(h for h, key in mapping.items() if key == LIBRARY)
    seen: dict[int, HistoryRow] = {}
    rows = []
    for number, values in zip(table.row_numbers, table.rows, strict=True):
        cells = dict(zip(table.headers, values, strict=True))
        row = HistoryRow(number=number, library=cells[library_header])
        rows.append(row)
        library = _find_library(row.library, libraries)
        if library is None:
            row.errors.append(
                {
                    "column": library_header,
                    "message": _('No single library of the district is "%(value)s".')
                    % {"value": row.library},
                }
            )
        elif library.pk in reported:
            row.errors.append(
                {
                    "column": library_header,
                    "message": _("This library already has a report for %(year)s.")
                    % {"year": year},
                }
            )
        elif library.pk in seen:
            row.errors.append(
                {
                    "column": library_header,
                    "message": _("The library is also in row %(row)s.")
                    % {"row": seen[library.pk].number},
                }
            )
        else:
            row.library_id, seen[library.pk] = library.pk, row
        for header, code in mapping.items():
            if code == LIBRARY or not cells.get(header, "").strip():
                continue
            try:
                parse_cell(indicators[code], cells[header], "")
            except CellError as exc:
                row.errors.append({"column": header, "message": exc.message})
            else:
                row.cells[code] = (cells[header], "")
    return rows


def summarise(rows: list[HistoryRow]) -> dict[str, Any]:
    return {
        "rows": [
            {
                "number": r.number,
                "library": r.library,
                "errors": r.errors,
                "values": len(r.cells),
            }
            for r in rows
        ],
        "counts": {
            "ok": sum(not r.errors for r in rows),
            "error": sum(bool(r.errors) for r in rows),
        },
    }


def _table(history: HistoryImport) -> Table:
    from django.conf import settings

    with history.file.open("rb") as handle:
        return read_table(handle, max_bytes=settings.METHODICA_MAX_UPLOAD_BYTES)


@transaction.atomic
def start_history_import(
    *, actor: Any, district: District, year: int, upload: Any
) -> HistoryImport:
    """Keep an uploaded consolidated spreadsheet for mapping; a bad file saves nothing."""
    from django.conf import settings

    require_perm(actor, "reporting.campaign:manage", district)
    if not 1990 <= year <= timezone.localdate().year:
        raise DomainError(_("Give a past year."), field="year")
    table = read_table(upload, max_bytes=settings.METHODICA_MAX_UPLOAD_BYTES)
    history = HistoryImport(
        district=district,
        year=year,
        headers=table.headers,
        mapping=guess_mapping(table.headers),
    )
    history.keep(upload, actor=actor, action="history_import.uploaded")
    return history


@transaction.atomic
def preview_history_import(
    *, actor: Any, history: HistoryImport, mapping: dict[str, str]
) -> dict[str, Any]:
    require_perm(actor, "reporting.campaign:manage", history)
    history = HistoryImport.objects.select_for_update().get(pk=history.pk)
    if history.state == HistoryImport.State.APPLIED:
        raise DomainError(_("This import has already been applied."))
    known = set(default_indicators()) | {LIBRARY}
    clean = {h: k for h, k in mapping.items() if h in history.headers and k in known}
    if list(clean.values()).count(LIBRARY) != 1:
        raise DomainError(_("Say which column names the library."))
    if len(set(clean.values())) != len(clean):
        raise DomainError(_("Two columns are mapped to the same field."))
    summary = summarise(
        build_preview(
            district=history.district,
            year=history.year,
            table=_table(history),
            mapping=clean,
        )
    )
    history.mapping, history.preview = clean, summary
    history.state = HistoryImport.State.PREVIEWED
    history.save(update_fields=["mapping", "preview", "state"])
    return summary


@transaction.atomic
def apply_history_import(*, actor: Any, history: HistoryImport) -> int:
    """Write the previewed year: the form and a closed campaign if missing, and an
    accepted report per row."""
    require_perm(actor, "reporting.campaign:manage", history)
    history = HistoryImport.objects.select_for_update().get(pk=history.pk)
    if history.state != HistoryImport.State.PREVIEWED:
        raise DomainError(_("Check the preview before importing."))
    rows = build_preview(
        district=history.district,
        year=history.year,
        table=_table(history),
        mapping=history.mapping,
    )
    if summarise(rows) != history.preview or any(row.errors for row in rows):
        raise DomainError(
            _(
                "The file has errors or the data changed since the preview. "
                "Check the preview again."
            )
        )
    form = ReportForm.objects.filter(
        district=history.district, year=history.year
    ).first()
    form = form or default_form.build(district=history.district, year=history.year)
    campaign = getattr(form, "campaign", None) or Campaign.objects.create(
        form=form,
        deadline=timezone.datetime(history.year + 1, 1, 31).date(),
        state=Campaign.State.CLOSED,
    )
    indicators = {i.code: i for i in form.indicators.all()}
    now = timezone.now()
    for row in rows:
        report, _created = Report.objects.update_or_create(
            campaign=campaign,
            library_id=row.library_id,
            defaults={
                "status": Report.Status.ACCEPTED,
                "accepted_at": now,
                "submitted_at": now,
                "completeness": 100,
            },
        )
        report.values.all().delete()
        cells = {
            code: parse_cell(indicators[code], text, mark)
            for code, (text, mark) in row.cells.items()
        }
        # A formula's result replaces what the sheet says when its parts are there;
        # an old sheet that has only the total keeps its total.
        computed = formulas.compute(
            indicators.values(), {code: as_value(*cell) for code, cell in cells.items()}
        )
        cells |= {code: (n, "", "") for code, n in computed.items() if n is not None}
        ReportValue.objects.bulk_create(
            ReportValue(
                report=report,
                indicator=indicators[code],
                number=number,
                text=text_value,
                mark=mark_value,
            )
            for code, (number, text_value, mark_value) in cells.items()
        )
    history.state = HistoryImport.State.APPLIED
    history.save(update_fields=["state"])
    services.republish_if_closed(campaign)
    audit(
        actor=actor,
        action="history_import.applied",
        obj=history,
        changes={"reports": {"before": None, "after": len(rows)}},
    )
    return len(rows)
