"""The consolidation as files: a workbook with a sheet for the district (or the chosen
set of libraries) and one per municipality, and the same total sheet as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from methodica.core.spreadsheets import csv_safe as safe_csv_text
from methodica.core.spreadsheets import plain_number
from methodica.reporting.consolidation import Consolidation
from methodica.reporting.performance import INDICATORS


def _sheet_rows(
    consolidation: Consolidation,
    municipality_id: int | None,
    number: Callable[[Decimal | None], Any] | None = None,
) -> Iterator[list[Any]]:
    number = number or _number
    with_previous = municipality_id is None
    header = [
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("Total"),
        _("Reports with a value"),
        _("Reports expected"),
    ]
    if with_previous:
        header += [_("Last year"), _("Change (%)")]
    yield header
    for indicator in consolidation.indicators:
        total = consolidation.total(municipality_id, indicator.code)
        row = [
            indicator.code,
            indicator.name,
            indicator.unit_label,
            number(total.value),
            total.reported,
            total.expected,
        ]
        if with_previous:
            before = consolidation.previous.get(indicator.code)
            change = consolidation.change(indicator.code)
            row += [
                number(before.value if before else None),
                round(float(change), 1) if change is not None else None,
            ]
        yield row


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def consolidation_xlsx(consolidation: Consolidation) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.properties.title = _("Consolidation %(year)s") % {
        "year": consolidation.campaign.year
    }
    workbook.properties.description = consolidation.selection.describe(
        consolidation.municipalities
    )
    sheet = workbook.active
    sheet.title = consolidation.total_label[:31]
    for row in _sheet_rows(consolidation, None):
        sheet.append(row)
    sheets = [sheet]
    for municipality in consolidation.municipalities:
        sheet = workbook.create_sheet(municipality.name[:31])
        for row in _sheet_rows(consolidation, municipality.pk):
            sheet.append(row)
        sheets.append(sheet)
    sheet = workbook.create_sheet(_("Performance indicators")[:31])
    sheet.append(
        [
            _("Indicator"),
            consolidation.total_label,
            *[m.name for m in consolidation.municipalities],
        ]
    )
    places = [consolidation.performance(None)] + [
        consolidation.performance(m.pk) for m in consolidation.municipalities
    ]
    for indicator in INDICATORS:
        sheet.append(
            [
                indicator.name,
                *[_number(place[indicator.code]) for place in places],
            ]
        )
    sheets.append(sheet)
    for sheet in sheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["B"].width = 50
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def consolidation_csv(consolidation: Consolidation) -> str:
    """The total sheet of the workbook as CSV (UTF-8 with a BOM, for Excel). Text that
    a spreadsheet would run as a formula (an indicator named "=...") is defused."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in _sheet_rows(consolidation, None, number=plain_number):
        writer.writerow([safe_csv_text(value) for value in row])
    return buffer.getvalue()
