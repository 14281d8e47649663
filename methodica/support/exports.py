"""The consultation log as an .xlsx workbook (the register export's pattern)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from methodica.support.models import Consultation


def header_row() -> list[str]:
    return [
        _("date"),
        _("municipality"),
        _("library"),
        _("person"),
        _("channel"),
        _("topic"),
        _("question"),
        _("answer"),
        _("time spent (minutes)"),
        _("effort (READ scale)"),
        _("follow-up needed"),
        _("followed up"),
        _("origin"),
        _("status"),
        _("methodologist"),
    ]


def consultation_rows(consultations: Iterable[Consultation]) -> Iterator[list[Any]]:
    for c in consultations:
        owner = c.owner
        yield [
            c.given_on,
            c.library.municipality.name if c.library else "",
            c.library.name if c.library else "",
            c.person,
            c.get_channel_display(),
            c.topic.name if c.topic else "",
            c.question,
            c.answer,
            c.minutes,
            c.read_level,
            _("yes") if c.follow_up else _("no"),
            c.follow_up_done_on,
            c.get_origin_display(),
            c.get_status_display(),
            (owner.get_full_name() or owner.username) if owner else "",
        ]


def xlsx_bytes(consultations: Iterable[Consultation], *, title: str) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from methodica.core.spreadsheets import xlsx_safe

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
    for row in consultation_rows(consultations):
        # Text is never written as a formula (a question may start with "=").
        sheet.append([xlsx_safe(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
