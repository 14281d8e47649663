"""Reading untrusted spreadsheets safely: .xlsx and .csv into rows of text.

An uploaded file is checked before any parser sees it: its size, what it
really is (by its first bytes, not its name), and, for .xlsx, the zip's entry
count and declared uncompressed size, because openpyxl has no guard against
zip bombs. Workbooks are opened read-only with cached values only, so no
formula is evaluated. A part that declares a document type is refused before
openpyxl parses anything: Office never writes one, and a DTD is how external and
expanding entities get in. (openpyxl parses with lxml when it is installed, and lxml
does not refuse a DTD the way defusedxml does.)
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from methodica.core.errors import DomainError

MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(DomainError):
    """The file cannot be read as a spreadsheet; the message says why."""


@dataclass
class Table:
    """The first sheet: a header row and data rows, every cell as text ('' when empty)."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    # The spreadsheet row number of each data row, for error messages.
    row_numbers: list[int] = field(default_factory=list)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return (
            value.date().isoformat()
            if isinstance(value, datetime.datetime)
            else value.isoformat()
        )
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _unreadable_workbook() -> str:
    return _(
        "The workbook could not be read. Open it in Excel or LibreOffice, save it "
        "again as .xlsx and upload it again."
    )


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetError(
            _("The file is damaged: it is not a valid .xlsx workbook.")
        ) from None
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError(_("The workbook has too many parts to be a register."))
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(
            _("The workbook unpacks to more than %(mb)s MB and was refused.")
            % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise SpreadsheetError(_("The file is a zip archive, not an Excel workbook."))
    if any(_declares_a_dtd(archive, entry) for entry in entries):
        raise SpreadsheetError(_unreadable_workbook())


# A document type declaration must come before the root element, so the head of
# each XML part is enough; the padding an attacker could put before it is bounded.
_DTD_HEAD_BYTES = 64 * 1024
_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def _declares_a_dtd(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    if not entry.filename.endswith((".xml", ".rels", ".vml")):
        return False
    with archive.open(entry) as part:
        head = part.read(_DTD_HEAD_BYTES)
    return any(mark in head for mark in _DTD_MARKS)


def read_workbook(
    data: bytes, *, max_sheets: int = 1
) -> list[tuple[str, list[list[str]]]]:
    """The first ``max_sheets`` sheets of an .xlsx as (title, rows of text), read safely."""
    import openpyxl

    if not data.startswith(_XLSX_MAGIC):
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx)."))
    _check_zip(data)
    unreadable = SpreadsheetError(_unreadable_workbook())
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl, zipfile and defusedxml raise many kinds
        raise unreadable from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("The workbook has no sheet."))
        return [
            (sheet.title, _sheet_rows(sheet))
            for sheet in workbook.worksheets[:max_sheets]
        ]
    except SpreadsheetError:
        raise
    except Exception as exc:  # the sheet's XML is parsed lazily, row by row
        raise unreadable from exc
    finally:
        workbook.close()


def _sheet_rows(sheet: Any) -> list[list[str]]:
    rows = []
    for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        rows.append([_clean_text(_cell_text(v)) for v in values])
        if len(rows) > MAX_ROWS + 1:
            raise SpreadsheetError(
                _("The sheet has more than %(rows)s rows.") % {"rows": MAX_ROWS}
            )
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = re.compile(r"^[+-]?[\d\s().,/-]+$")


def csv_safe(value: Any) -> str:
    """A cell as CSV text that a spreadsheet will not run as a formula.

    Text starting with a formula character gets a leading apostrophe, except
    numbers and phone numbers ("+359 431 ..."), which cannot call anything.
    The register import strips that apostrophe again.
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _HARMLESS.match(text):
        return "'" + text
    return text


def xlsx_safe(sheet: Any, value: Any) -> Any:
    """A value for ``sheet.append`` that a spreadsheet will not run as a formula.

    Text becomes a cell typed as text (openpyxl would otherwise store anything
    starting with "=" as a formula), without the control characters a workbook
    cannot hold; other values are returned as they are.
    """
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def plain_number(value: Decimal | None) -> str:
    """A number as machine-readable text for CSV and open data: 5200, 12.5 (a
    point, no grouping, no trailing zeros); "" for no number."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_upload(upload: IO[bytes], *, max_bytes: int) -> bytes:
    """The bytes of an upload, refusing what is too big, empty, or an old .xls."""
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": round(max_bytes / (1024 * 1024), 1)}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            _(
                "Old Excel files (.xls) are not supported. Save the file as .xlsx and upload it again."
            )
        )
    return data


def _clean_text(text: str) -> str:
    """Cell text without control characters, which PostgreSQL and exports refuse."""
    return _CONTROL.sub("", text)


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise SpreadsheetError(_("The file is not a spreadsheet (.xlsx or .csv)."))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("The CSV file is neither UTF-8 nor Windows-1251 text."))


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for values in csv.reader(io.StringIO(text), dialect):
            rows.append([_clean_text(v.strip()) for v in values[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS + 1:
                raise SpreadsheetError(
                    _("The sheet has more than %(rows)s rows.") % {"rows": MAX_ROWS}
                )
    except csv.Error as exc:
        raise SpreadsheetError(
            _("The CSV file is malformed near line %(line)s.") % {"line": len(rows) + 1}
        ) from exc
    return rows


def read_table(upload: IO[bytes], *, max_bytes: int) -> Table:
    """Read the first sheet of an uploaded .xlsx or .csv file into a :class:`Table`."""
    data = read_upload(upload, max_bytes=max_bytes)
    rows = (
        read_workbook(data)[0][1] if data.startswith(_XLSX_MAGIC) else _read_csv(data)
    )
    numbered = [
        (n, row) for n, row in enumerate(rows, start=1) if any(cell for cell in row)
    ]
    if not numbered:
        raise SpreadsheetError(_("The sheet has no rows."))
    (_header_number, headers), body = numbered[0], numbered[1:]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    if width == 0:
        raise SpreadsheetError(_("The first row must hold the column names."))
    headers = headers[:width]
    return Table(
        headers=headers,
        rows=[(row + [""] * width)[:width] for _n, row in body],
        row_numbers=[n for n, _row in body],
    )
