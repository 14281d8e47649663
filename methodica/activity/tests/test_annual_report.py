"""The year's activity report: one content, as DOCX and as PDF, its numbers the reach's."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from methodica.activity import annual_report, reach
from methodica.activity.docx_writer import write_docx
from methodica.activity.pdf_writer import write_pdf
from methodica.activity.reach import Area, Period
from methodica.libraries.models import Library
from tests.factories import LibraryFactory, SettlementFactory

pytestmark = pytest.mark.django_db

YEAR = Period.year(2026)

SUMMARY = (
    "In 2026 the department gave 7 consultations (phone: 4, email: 2, "
    "social-media group: 1); libraries consulted: 2. "
    "It made 2 visits (libraries visited: 1); recommendations left: 3; closed in "
    "the year: 2, of them dropped: 0. "
    "It held 2 training sessions («Компютри»: 1, «Основи»: 1); participations: 4; "
    "colleagues trained: 3, from libraries: 2; academic hours in total: 10. "
    "Altogether 2 libraries were reached by some form of help; active libraries "
    "reached: 2 of 2 (100%)."
)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def english_report(area, user):
    with translation.override("en"):
        return annual_report.build(YEAR, area, user=user)


def test_the_summary_says_the_year_in_whole_sentences_with_the_reach_figures(
    year, district, methodologist
):
    report = english_report(Area(district), methodologist)
    with translation.override("en"):
        assert annual_report.summary(report.reach) == SUMMARY


def test_a_summary_of_nothing_says_zero_in_the_plural_and_shows_no_share(
    district, methodologist
):
    with translation.override("en"):
        report = annual_report.build(YEAR, Area(district), user=methodologist)
        text = annual_report.summary(report.reach)
    assert text.startswith(
        "In 2026 the department gave 0 consultations; libraries consulted: 0. "
        "It made 0 visits (libraries visited: 0);"
    )
    assert "It held 0 training sessions; participations: 0;" in text
    assert text.endswith(
        "Altogether 0 libraries were reached by some form of help; active libraries "
        "reached: 0 of 0 (—)."
    )


def test_one_of_each_takes_the_singular(district, library, methodologist):
    from methodica.activity.tests.conftest import consult, visit
    from methodica.support.models import Consultation

    consult(district, library, YEAR.start, Consultation.Channel.PHONE)
    visit(library, YEAR.start)
    with translation.override("en"):
        text = annual_report.summary(
            annual_report.build(YEAR, Area(district), user=methodologist).reach
        )
    assert text.startswith(
        "In 2026 the department gave 1 consultation (phone: 1); libraries "
        "consulted: 1. It made 1 visit (libraries visited: 1);"
    )
    assert "Altogether 1 library was reached by some form of help" in text


def test_the_docx_holds_the_summary_tables_charts_and_sources(
    year, district, methodologist
):
    data = write_docx(english_report(Area(district), methodologist))
    text = docx_text(data)
    assert SUMMARY in text
    assert "phone | 4 | 45" in text  # by channel: count and minutes
    assert "Каталогизация | 3 | 2 | 6 | 4" in text  # session A: 3 from 2, mean 4
    assert (
        "7 consultations were given in the period; minutes spent: 90; follow-ups "
        "still pending: 1."
    ) in text
    assert "2 visits were made in the period; libraries visited: 1." in text
    assert (
        "consultations: consultations dated 01/01/2026 – 12/31/2026, logged by a "
        "methodologist or asked in Methodica and answered; n=7; the records: "
        "/activity/records/?figure=consultations&start=2026-01-01&end=2026-12-31"
    ) in text
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        images = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(images) == 2  # consultations by channel, training by municipality


def test_the_docx_charts_have_alt_text_and_its_tables_header_rows(
    year, district, methodologist
):
    data = write_docx(english_report(Area(district), methodologist))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode()
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert descriptions == [
        "Consultations by channel. phone: 4; email: 2; social-media group: 1",
        "Libraries reached by training, by municipality. Казанлък: 1; Чирпан: 1",
    ]
    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        first, *rest = table.rows
        assert first._tr.trPr is not None
        assert (
            first._tr.trPr.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
            )
            is not None
        )
        for row in rest:
            assert row._tr.trPr is None


def test_the_pdf_says_the_same_sentences_as_the_docx(year, district, methodologist):
    content = english_report(Area(district), methodologist)
    text = pdf_text(write_pdf(content))
    assert "Methodological activity in 2026" in text
    assert "In 2026 the department gave 7 consultations (phone: 4, email: 2," in text
    assert (
        "participations: 4; colleagues trained: 3, from libraries: 2; academic "
        "hours in total: 10."
    ) in text
    assert "n=7" in text and "n=3" in text


def test_bulgarian_numbers_are_grouped_and_shares_written_one_way(district):
    with translation.override("bg"):
        assert annual_report.num(12345) == "12\xa0345"
        assert annual_report.num(2.5) == "2,5"
    with translation.override("en"):
        assert annual_report.share(None) == "—"
        assert annual_report.share(reach.share_of(2, 3)) == "66.7%"


def test_the_share_reads_the_same_in_the_text_and_the_table_and_a_dash_for_none(
    year, district, municipality, methodologist
):
    # A municipality whose only library is closed: nothing active to share.
    from tests.factories import MunicipalityFactory

    empty = MunicipalityFactory(district=district, name="Гурково")
    LibraryFactory(
        settlement=SettlementFactory(municipality=empty), status=Library.Status.CLOSED
    )
    LibraryFactory(settlement=SettlementFactory(municipality=municipality))
    content = english_report(Area(district), methodologist)
    text = docx_text(write_docx(content))
    assert "active libraries reached: 2 of 3 (66.7%)" in text
    assert "Казанлък | 1 | 2 | 50%" in text
    assert "Гурково | 0 | 0 | —" in text
    assert not re.search(r"(?<![\d.])0(\.0)?\s?%", text)  # never "0 %" for none


def test_the_sources_give_every_figure_of_the_text_with_its_records_page(
    year, district, methodologist, client_for
):
    content = english_report(Area(district), methodologist)
    sources = content.sections[-1]
    lines = [block.text for block in sources.blocks]
    values = {re.search(r"; n=([^;]+);", line).group(1) for line in lines}
    body = " ".join(
        block.text
        for section in content.sections[:-1]
        for block in section.blocks
        if isinstance(block, annual_report.Paragraph)
    )
    # Every number the paragraphs say (but the year and the lists' breakdowns,
    # which have their tables) is one of the sources' figures.
    said = re.sub(r"\([^()]*«[^)]*\)|\(phone[^)]*\)", "", body)
    for number in re.findall(r"\d+(?:[.,]\d+)?%?", said.replace("2026", "")):
        assert number in values, number
    client = client_for(methodologist)
    for line in lines:
        url = line.rsplit("the records: ", 1)[1]
        assert url.startswith(f"{settings.SITE_URL}/activity/records/?figure=")
        assert client.get(url).status_code == 200, url
    consultations = next(line for line in lines if line.startswith("consultations:"))
    url = consultations.rsplit("the records: ", 1)[1]
    assert client.get(url).context["count"] == 7


def test_the_sources_of_a_municipality_name_its_records(
    year, district, municipality, municipal_methodologist
):
    content = english_report(Area(district, municipality), municipal_methodologist)
    line = content.sections[-1].blocks[0].text
    assert line.endswith(
        "figure=consultations&start=2026-01-01&end=2026-12-31"
        f"&municipality={municipality.pk}"
    )


def test_a_municipality_report_counts_its_libraries_only(
    year, district, municipality, municipal_methodologist
):
    content = english_report(Area(district, municipality), municipal_methodologist)
    text = docx_text(write_docx(content))
    assert (
        "In 2026 the department gave 5 consultations (phone: 3, email: 2); "
        "libraries consulted: 1."
    ) in text
    assert "colleagues trained: 2, from libraries: 1;" in text


def test_a_municipal_methodologists_report_has_no_survey_means(
    year, district, municipality, municipal_methodologist, methodologist
):
    area = Area(district, municipality)
    text = docx_text(write_docx(english_report(area, municipal_methodologist)))
    assert "Satisfaction" not in text
    assert "Каталогизация | 2 | 1 | 6\n" in text + "\n"  # no mean column
    # The district's methodologist sees the same municipality's means.
    text = docx_text(write_docx(english_report(area, methodologist)))
    assert "Satisfaction (mean, 1–5)" in text
    assert "Каталогизация | 2 | 1 | 6 | 4" in text


def test_no_survey_comment_or_respondent_appears_in_the_report(
    year, district, methodologist
):
    content = annual_report.build(YEAR, Area(district), user=methodologist)
    assert "Гергана" not in docx_text(write_docx(content))
    assert "Гергана" not in pdf_text(write_pdf(content))


def test_the_report_buttons_download_docx_and_pdf_in_the_users_language(
    year, methodologist, client_for
):
    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/activity/report/2026.docx")
    assert response.status_code == 200
    assert "activity-2026.docx" in response["Content-Disposition"]
    text = docx_text(response.content)
    assert "Methodological activity in 2026" in text
    assert SUMMARY in text
    response = client.get("/activity/report/2026.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client.get("/activity/report/0999.pdf").status_code == 404


def test_the_downloaded_report_of_a_municipal_methodologist_has_no_means(
    year, municipal_methodologist, client_for
):
    client = client_for(municipal_methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = docx_text(client.get("/activity/report/2026.docx").content)
    assert "gave 5 consultations" in text
    assert "Satisfaction" not in text
