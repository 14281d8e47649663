"""The activity report's content set as a Word document (python-docx)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from methodica.activity.annual_report import Chart, Paragraph, Report, Table


def write_docx(report: Report) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for section in report.sections:
        document.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                document.add_paragraph(block.text)
            elif isinstance(block, Table):
                _table(document, block)
            elif isinstance(block, Chart):
                _chart(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _chart(document: DocxDocument, chart: Chart) -> None:
    document.add_paragraph(chart.title, style="Caption")
    picture = document.add_picture(io.BytesIO(chart.png()), width=Cm(15))
    # The alt text screen readers read out: the title and every bar's figure
    # (the same figures are in the table before the chart).
    doc_pr = picture._inline.docPr
    doc_pr.set("title", chart.title)
    doc_pr.set("descr", chart.description())


def _table(document: DocxDocument, table: Table) -> None:
    document.add_paragraph(table.caption, style="Caption")
    # All rows at once: python-docx's add_row() copies the last row's XML and is
    # slow for long tables.
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    rows = grid.rows
    header = rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, table.headers, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(text).bold = True
    for row, texts in zip(rows[1:], table.rows, strict=True):
        for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(text)
            if index in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def _repeat_as_header(row: Any) -> None:
    """Mark the row as the table's header (``w:tblHeader``): repeated on every page
    and read as column headers by screen readers."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
