"""The activity report's content set as a PDF (ReportLab, DejaVu Sans)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import translation

from methodica.activity.annual_report import Chart, Paragraph, Report, Table
from methodica.reporting.pdf import (
    BRAND,
    FONT,
    LIGHT,
    _styles,
    register_fonts,
)


def write_pdf(report: Report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, SimpleDocTemplate, Spacer

    register_fonts()
    styles = _styles()
    out = io.BytesIO()
    width, height = A4[0] - 40 * mm, A4[1] - 40 * mm
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=report.title,
        author=settings.SITE_NAME,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )
    story: list[Any] = [
        _p(report.title, styles["h1"]),
        _p(report.subtitle, styles["small"]),
        Spacer(1, 6 * mm),
    ]
    for section in report.sections:
        story.append(_p(section.title, styles["h2"]))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                story.append(_p(block.text, styles["body"]))
                story.append(Spacer(1, 2 * mm))
            elif isinstance(block, Table):
                story.extend(_table(block, styles, width))
                story.append(Spacer(1, 4 * mm))
            elif isinstance(block, Chart):
                png = io.BytesIO(block.png())
                image = Image(png)
                # Fit the frame's width, and leave room for the caption.
                scale = min(
                    1.0, width / image.drawWidth, height * 0.85 / image.drawHeight
                )
                image.drawWidth *= scale
                image.drawHeight *= scale
                story.append(KeepTogether([_p(block.title, styles["small"]), image]))
                story.append(Spacer(1, 4 * mm))
    document.build(story)
    return out.getvalue()


def _p(text: str, style: Any) -> Any:
    from reportlab.lib.utils import escapeOnce
    from reportlab.platypus import Paragraph as Para

    return Para(escapeOnce(text), style)


def _table(table: Table, styles: dict[str, Any], width: float) -> list[Any]:
    """The caption, then the table; numbers flush right, the header repeated."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import CondPageBreak, TableStyle
    from reportlab.platypus import Table as Grid

    number = ParagraphStyle("cell_number", parent=styles["cell"], alignment=2)
    head = [
        _p(h, styles["head_number" if i in table.numeric else "head"])
        for i, h in enumerate(table.headers)
    ]
    body = [
        [
            _p(text, number if i in table.numeric else styles["cell"])
            for i, text in enumerate(row)
        ]
        for row in table.rows
    ]
    grid = Grid([head, *body], repeatRows=1, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BRAND)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                (
                    "ROWBACKGROUNDS",
                    (0, 1),
                    (-1, -1),
                    [colors.white, colors.HexColor(LIGHT)],
                ),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor(BRAND)),
            ]
        )
    )
    # The caption never stays alone at the foot of a page.
    return [CondPageBreak(40), _p(table.caption, styles["small"]), grid]
