"""The year's activity report: one content, as DOCX and as PDF, its numbers the reach's."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from django.utils import translation
from pypdf import PdfReader

from methodica.activity import annual_report, reach
from methodica.activity.docx_writer import write_docx
from methodica.activity.pdf_writer import write_pdf
from methodica.activity.reach import Area, Period

pytestmark = pytest.mark.django_db

YEAR = Period.year(2026)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_summary_says_the_year_in_words_with_the_reach_figures(year, district):
    with translation.override("en"):
        report = annual_report.build(YEAR, Area(district))
        summary = annual_report.summary(report.reach)
    assert summary.startswith(
        "In 2026 the department gave 7 consultations (phone 4, email 2, "
        "social-media group 1) to 2 libraries; made 2 visits to 1 library and left "
        "3 recommendations, and 2 recommendations were closed in the year; held 2 "
        "training sessions (1 in «Компютри», 1 in «Основи») with 4 participations of "
        "3 colleagues from 2 libraries, 10 academic hours in total."
    )
    assert "Altogether 2 libraries were reached" in summary


def test_the_docx_holds_the_summary_tables_charts_and_sources(year, district):
    with translation.override("en"):
        data = write_docx(annual_report.build(YEAR, Area(district)))
    text = docx_text(data)
    figures = reach.compute(YEAR, Area(district))
    assert f"gave {figures.consultations} consultations" in text
    assert f"of {figures.librarians_trained} colleagues" in text
    assert "phone | 4 | 45" in text  # by channel: count and minutes
    assert "Каталогизация | 3 | 2 | 6 | 4" in text  # session A: 3 from 2, mean 4
    assert (
        "consultations: consultation records dated 2026-01-01..2026-12-31 in "
        f"Methodica, n={figures.consultations}"
    ) in text
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        images = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(images) == 2  # consultations by channel, training by municipality


def test_the_pdf_says_the_same_numbers_as_the_docx(year, district):
    with translation.override("en"):
        content = annual_report.build(YEAR, Area(district))
        text = pdf_text(write_pdf(content))
    assert "Methodological activity in 2026" in text
    assert "gave 7 consultations" in text
    assert "with 4 participations of 3 colleagues from 2 libraries" in text
    assert "n=7" in text and "n=3" in text


def test_bulgarian_numbers_are_grouped_and_plurals_follow_the_count(district):
    with translation.override("bg"):
        assert annual_report.num(12345) == "12\xa0345"
        assert annual_report.num(2.5) == "2,5"
    with translation.override("en"):
        report = annual_report.build(YEAR, Area(district))
        assert "gave 0 consultations" in annual_report.summary(report.reach)


def test_a_municipality_report_counts_its_libraries_only(year, district, municipality):
    with translation.override("en"):
        text = docx_text(
            write_docx(annual_report.build(YEAR, Area(district, municipality)))
        )
    assert "gave 5 consultations" in text
    assert "of 2 colleagues from 1 library" in text


def test_no_survey_comment_or_respondent_appears_in_the_report(year, district):
    content = annual_report.build(YEAR, Area(district))
    assert "Гергана" not in docx_text(write_docx(content))
    assert "Гергана" not in pdf_text(write_pdf(content))


def test_the_report_buttons_download_docx_and_pdf_in_the_users_language(
    year, methodologist, client_for
):
    client = client_for(methodologist)
    response = client.get("/activity/report/2026.docx")
    assert response.status_code == 200
    assert "activity-2026.docx" in response["Content-Disposition"]
    assert "7" in docx_text(response.content)
    response = client.get("/activity/report/2026.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client.get("/activity/report/0999.pdf").status_code == 404
