"""Exporting the register to XLSX and CSV, with the same columns the import reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from methodica.core.spreadsheets import csv_safe
from methodica.libraries.models import Library
from methodica.libraries.register_columns import COLUMNS


def _value(library: Library, key: str) -> Any:
    if key == "municipality":
        return library.municipality.name
    if key == "settlement":
        return library.settlement.name
    if key == "ekatte":
        return library.settlement.ekatte
    if key == "library_type":
        return library.get_library_type_display()
    if key == "status":
        return library.get_status_display()
    value = getattr(library, key)
    return "" if value is None else value


def header_row() -> list[str]:
    return [str(column.label) for column in COLUMNS]


def library_rows(libraries: Iterable[Library]) -> Iterator[list[Any]]:
    for library in libraries:
        yield [_value(library, column.key) for column in COLUMNS]


def csv_chunks(libraries: Iterable[Library]) -> Iterator[str]:
    """The register as CSV text in chunks, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so Excel opens UTF-8 Cyrillic correctly
    writer.writerow(header_row())
    for row in library_rows(libraries):
        writer.writerow([csv_safe(v) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(libraries: Iterable[Library], *, title: str) -> bytes:
    """The register as an .xlsx workbook (written in streaming mode)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    headers = []
    for label in header_row():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    for row in library_rows(libraries):
        # Text cells never become formulas: openpyxl writes a leading "=" as a
        # formula, so such text is stored with the data type forced to string.
        cells = []
        for value in row:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
