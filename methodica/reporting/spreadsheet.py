"""The report as an Excel template: download it filled with what is known, fill it in,
upload it back.

The template carries its report in a hidden sheet, signed with the site's secret, so
that a template of another library or another year is recognised and refused, and a
hand-edited one is refused too. Inputs are the only unlocked cells and have Excel's
own validation (whole numbers, yes/no, the list of marks), so most mistakes are
caught while typing, before the upload checks them again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _

from methodica.core.spreadsheets import SpreadsheetError, read_workbook
from methodica.reporting.models import Indicator, Mark, Report, ReportValue
from methodica.reporting.reading import previous_values

META_SHEET = "methodica"
_SIGNER = signing.Signer(salt="methodica.reporting.template")
FIRST_ROW = 6  # rows above hold the library's identity and the column names
VALUE_COLUMN, MARK_COLUMN = "E", "F"


def _mark_labels() -> dict[str, str]:
    return {code: str(label) for code, label in Mark.choices if code}


@dataclass
class Template:
    report_id: int
    cells: dict[str, tuple[str, str]]


def _text(value: object) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


def build_template(report: Report) -> bytes:
    """The report's workbook, with this year's values (if any) and last year's beside."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    form = report.campaign.form
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(form.year)
    sheet["A1"] = _("Annual report for %(year)s") % {"year": form.year}
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = report.library.name
    sheet["A3"] = f"{report.library.settlement}, {report.library.municipality.name}"
    headers = [
        _("Code"),
        _("Indicator"),
        _("Unit"),
        _("Last year"),
        _("Value"),
        _("Mark"),
    ]
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=FIRST_ROW - 1, column=column, value=header).font = Font(
            bold=True
        )
    current = {v.indicator_id: v for v in ReportValue.objects.filter(report=report)}
    previous = previous_values(report)
    labels = _mark_labels()
    marks = DataValidation(
        type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True
    )
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error=_("A whole number is expected."),
    )
    decimal = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error=_("A number is expected."),
    )
    yes_no = DataValidation(
        type="list", formula1=f'"{_("yes")},{_("no")}"', allow_blank=True
    )
    for validation in (marks, whole, decimal, yes_no):
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    unlocked, fill = Protection(locked=False), PatternFill("solid", fgColor="FFF7D6")
    indicators = form.indicators.select_related("section").order_by(
        "section__position", "position"
    )
    for row, indicator in enumerate(indicators, start=FIRST_ROW):
        value = current.get(indicator.pk)
        sheet.cell(row=row, column=1, value=indicator.code)
        sheet.cell(row=row, column=2, value=indicator.name)
        sheet.cell(row=row, column=3, value=indicator.unit_label)
        last = previous.get(indicator.code)
        sheet.cell(row=row, column=4, value=_text(last) if last is not None else None)
        cell = sheet[f"{VALUE_COLUMN}{row}"]
        if value is not None:
            cell.value = value.text or (
                float(value.number) if value.number is not None else None
            )
            if (
                indicator.value_type == Indicator.ValueType.BOOLEAN
                and value.number is not None
            ):
                cell.value = _("yes") if value.number else _("no")
        mark_cell = sheet[f"{MARK_COLUMN}{row}"]
        mark_cell.value = (
            labels.get(value.mark) if value is not None and value.mark else None
        )
        if indicator.formula:
            # Computed from the other cells when the template is saved back: locked,
            # so nobody types a figure that would be overwritten.
            cell.font = Font(italic=True)
            note = _("computed: %(formula)s") % {"formula": indicator.formula}
            sheet.cell(row=row, column=7, value=note).font = Font(italic=True)
            continue
        for editable in (cell, mark_cell):
            editable.protection, editable.fill = unlocked, fill
        marks.add(mark_cell)
        validation = {
            Indicator.ValueType.INTEGER: whole,
            Indicator.ValueType.DECIMAL: decimal,
            Indicator.ValueType.BOOLEAN: yes_no,
        }.get(indicator.value_type)
        if validation is not None:
            validation.add(cell)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 60
    sheet.protection.sheet = True
    meta = workbook.create_sheet(META_SHEET)
    meta["A1"] = _SIGNER.sign(f"{report.pk}:{form.year}:{report.library_id}")
    meta.sheet_state = "hidden"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def read_template(data: bytes) -> Template:
    """The report a filled template belongs to, and its cells; refuses foreign files."""
    sheets = dict(read_workbook(data, max_sheets=3))
    meta = sheets.get(META_SHEET)
    if not meta or not meta[0]:
        raise SpreadsheetError(
            _(
                "This is not a Methodica report template. Download the template of your "
                "report and fill it in."
            )
        )
    try:
        report_id, _year, _library = (
            signing.Signer(salt="methodica.reporting.template")
            .unsign(meta[0][0])
            .split(":")
        )
    except (signing.BadSignature, ValueError):
        raise SpreadsheetError(
            _("The template has been altered and cannot be trusted. Download it again.")
        ) from None
    values = next(rows for title, rows in sheets.items() if title != META_SHEET)
    by_label = {}
    for language in (
        "bg",
        "ru",
        "en",
    ):  # downloaded in one language, uploaded in another
        with translation.override(language):
            by_label.update(
                {label.lower(): code for code, label in _mark_labels().items()}
            )
    cells = {}
    for row in values[FIRST_ROW - 1 :]:
        row = (row + [""] * 6)[:6]
        code, value, mark = row[0].strip(), row[4], row[5].strip().lower()
        if code:
            cells[code] = (value, by_label.get(mark, mark))
    return Template(int(report_id), cells)
