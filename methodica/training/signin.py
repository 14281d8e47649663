"""The printable sign-in sheet of a session: who is enrolled, a column to sign."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from methodica.training.models import Enrolment, Session


def sign_in_sheet(session: Session) -> bytes:
    """An A4 PDF in the current language, set in DejaVu Sans (Cyrillic)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from methodica.reporting.pdf import BRAND, FONT, FONT_BOLD, LIGHT, register_fonts

    register_fonts()
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
    starts = timezone.localtime(session.starts_at)
    when = date_format(starts, "DATE_FORMAT")
    if not session.all_day:
        when += " " + date_format(starts, "TIME_FORMAT")
    facts = [
        (_("Date"), when),
        (_("Place"), session.place or session.online_url),
        (_("Trainer"), session.trainer),
        (_("Programme"), session.course.programme.title),
    ]
    story = [
        Paragraph(_("Sign-in sheet"), title),
        Paragraph(_escape(session.course.title), title),
        Spacer(1, 3 * mm),
        *[
            Paragraph(f"<b>{label}:</b> {_escape(value)}", body)
            for label, value in facts
        ],
        Spacer(1, 5 * mm),
    ]
    people = (
        session.enrolments.filter(status=Enrolment.Status.ENROLLED)
        .select_related("staff__library")
        .order_by("staff__full_name", "id")
    )
    rows = [[_("No."), _("Name"), _("Library"), _("Signature")]]
    for number, enrolment in enumerate(people, start=1):
        rows.append(
            [
                str(number),
                Paragraph(_escape(enrolment.staff.full_name), cell),
                Paragraph(_escape(enrolment.staff.library.name), cell),
                "",
            ]
        )
    table = Table(
        rows,
        colWidths=[12 * mm, 60 * mm, 60 * mm, 38 * mm],
        # room to sign by hand
        rowHeights=[8 * mm] + [11 * mm] * (len(rows) - 1),
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("FONT", (0, 1), (-1, -1), FONT, 9),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BRAND)),
                (
                    "ROWBACKGROUNDS",
                    (0, 1),
                    (-1, -1),
                    [colors.white, colors.HexColor(LIGHT)],
                ),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Sign-in sheet"),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    """Text for a ReportLab paragraph, whose markup is XML-like."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
