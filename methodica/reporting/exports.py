"""The consolidated workbook: a sheet for the district and one per municipality."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from methodica.reporting.consolidation import Consolidation
from methodica.reporting.performance import INDICATORS


def _sheet_rows(consolidation: Consolidation, municipality_id: int | None):
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
            indicator.unit,
            float(total.value) if total.value is not None else None,
            total.reported,
            total.expected,
        ]
        if with_previous:
            before = consolidation.previous.get(indicator.code)
            change = consolidation.change(indicator.code)
            row += [
                float(before.value) if before and before.value is not None else None,
                round(float(change), 1) if change is not None else None,
            ]
        yield row


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def consolidation_xlsx(consolidation: Consolidation) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("District")[:31]
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
        [_("Indicator"), _("District"), *[m.name for m in consolidation.municipalities]]
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
