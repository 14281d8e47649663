"""The consolidation as a PDF summary: its pages, its figures in each language, and
who may have it."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from methodica.reporting import services
from methodica.reporting.consolidation import consolidate
from methodica.reporting.models import Report
from methodica.reporting.pdf import FontsMissing, consolidation_pdf, number
from tests.report_data import cells

NBSP = "\xa0"  # Django's Bulgarian and Russian thousands separator
# pypdf reads DejaVu's no-break space back as a plain space.
SEP = " "


def _accept(report, reporter, methodologist, overrides=None):
    """Fill, submit (explaining any warning, e.g. a change from last year) and accept."""
    _saved, findings, errors = services.save_report(
        report=report,
        actor=reporter,
        cells=cells(overrides),
        revision=report.revision,
    )
    assert not errors
    explained = {finding.code: "Проверено." for finding in findings}
    services.submit_report(report=report, actor=reporter, justifications=explained)
    services.accept_report(report=report, actor=methodologist)


@pytest.fixture
def two_years(
    district, district_admin, methodologist, reporter, other_reporter, library
):
    """2024: only ``library`` accepted, 6,000 loans. 2025: both libraries accepted,
    5,200 + 7,300 = 12,500 loans, 850 + 850 people served."""
    form_2024 = services.create_default_form(
        actor=district_admin, district=district, year=2024
    )
    campaign_2024 = services.open_campaign(
        actor=district_admin, form=form_2024, deadline=datetime.date(2099, 1, 31)
    )
    _accept(
        Report.objects.get(campaign=campaign_2024, library=library),
        reporter,
        methodologist,
        {"loans_total": "6000", "loans_books": "5500"},
    )
    form_2025 = services.create_default_form(
        actor=district_admin, district=district, year=2025
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form_2025, deadline=datetime.date(2099, 1, 31)
    )
    reports = {r.library_id: r for r in campaign.reports.all()}
    _accept(reports[library.pk], reporter, methodologist)
    other = next(r for pk, r in reports.items() if pk != library.pk)
    _accept(
        other,
        other_reporter,
        methodologist,
        {"loans_total": "7300", "loans_books": "6800"},
    )
    return campaign


def _flat(text: str) -> str:
    """The text of a page with its line breaks (wrapped titles) as spaces."""
    return re.sub(r" *\n *", " ", text)


def _pages(data: bytes) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.django_db
def test_the_pdf_has_the_figures_computed_by_hand_in_bulgarian(
    client_for, methodologist, two_years
):
    client = client_for(methodologist)
    url = f"/reports/campaigns/{two_years.pk}/consolidation.pdf"
    page = client.get(f"/reports/campaigns/{two_years.pk}/consolidation/")
    assert f'href="{url}"' in page.content.decode()  # the button beside Export XLSX
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # the title page, key figures and charts, the totals (landscape), the rest
    assert len(reader.pages) == 4
    widths = [page.mediabox.width > page.mediabox.height for page in reader.pages]
    assert widths == [False, False, True, False]
    title, key_figures, totals, rest = [_flat(p.extract_text()) for p in reader.pages]
    assert "Стара Загора" in title and "2 / 2" in title and "2025" in title
    # loans: 5 200 + 7 300 = 12 500 this year, 6 000 last year: +108,3 %
    assert f"12{SEP}500 6{SEP}000 +108,3%" in key_figures
    # expenditure: 2 x 20 500 = 41 000 against 20 500
    assert f"41{SEP}000 20{SEP}500 +100,0%" in key_figures
    # by municipality: Казанлък lent 5 200, Чирпан 7 300; each 1 of 1 accepted
    assert f"Казанлък 850 210 2{SEP}400 5{SEP}200" in totals
    assert f"Чирпан 850 210 2{SEP}400 7{SEP}300" in totals
    # loans per capita: 12 500 / 1 700 = 7,35; 6 000 / 850 = 7,06 last year;
    # Казанлък 5 200 / 850 = 6,12 and Чирпан 7 300 / 850 = 8,59
    assert "7,35 7,06 6,12 – 8,59" in rest
    assert "12.500" not in key_figures and "12,500" not in key_figures


@pytest.mark.django_db
def test_the_pdf_in_english_formats_numbers_the_english_way(
    client_for, methodologist, two_years
):
    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/reports/campaigns/{two_years.pk}/consolidation.pdf")
    title, key_figures, totals, rest = _pages(response.content)
    assert "Annual statistics of the library network, 2025" in title
    assert "2 of 2 expected reports accepted (100.0%)" in title
    assert "Loans, total 12,500 6,000 +108.3%" in key_figures
    assert "District 1,700 420 4,800 12,500 24,200 300 2 41,000 2 of 2" in totals
    assert "Expenditure, total 41,000 20,500 +100.0%" in key_figures
    assert "Loans per capita 7.35 7.06 6.12 – 8.59" in rest
    assert "Page 2 of 4" in key_figures and "Page 4 of 4" in rest


@pytest.mark.django_db
def test_the_pdf_lists_the_libraries_not_yet_accepted(
    methodologist, reporter, report, other_report, other_library
):
    _accept(report, reporter, methodologist)
    with translation.override("en"):
        text = "".join(_pages(consolidation_pdf(consolidate(report.campaign))))
    assert "Libraries not yet accepted" in text
    assert other_library.name in text and "not started: 1" in text
    assert "1 of 2 expected reports accepted (50.0%)" in text


@pytest.mark.django_db
def test_reporters_and_outsiders_cannot_get_the_pdf(
    client, client_for, reporter, outsider, campaign
):
    url = f"/reports/campaigns/{campaign.pk}/consolidation.pdf"
    assert client.get(url).status_code == 302  # to the sign-in page
    assert client_for(reporter).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_without_the_fonts_the_pdf_fails_with_a_clear_message(
    client_for, methodologist, campaign, settings, tmp_path
):
    settings.BASE_DIR = tmp_path  # no node_modules here
    with pytest.raises(FontsMissing, match="DejaVu"):
        consolidation_pdf(consolidate(campaign))
    response = client_for(methodologist).get(
        f"/reports/campaigns/{campaign.pk}/consolidation.pdf", follow=True
    )
    assert response.redirect_chain[-1][0].endswith(
        f"/reports/campaigns/{campaign.pk}/consolidation/"
    )
    page = response.content.decode()
    assert "DejaVu" in page and str(tmp_path) not in page  # no server path shown


@pytest.mark.parametrize(
    ("language", "decimals", "whole"),
    [
        ("bg", f"1{NBSP}234{NBSP}567,89", f"1{NBSP}200"),
        ("ru", f"1{NBSP}234{NBSP}567,89", f"1{NBSP}200"),
        ("en", "1,234,567.89", "1,200"),
    ],
)
def test_numbers_are_grouped_and_separated_for_the_language(language, decimals, whole):
    with translation.override(language):
        assert number(Decimal("1234567.891")) == decimals
        assert number(Decimal("1200.00")) == whole  # a whole number: no decimals
        assert number(None) == "—"


def test_numbers_are_rounded_not_cut_off():
    with translation.override("en"):
        assert number(Decimal("2.995"), 2) == "3.00"  # Django alone would say 2.99
        assert number(Decimal("1999.5"), 0) == "2,000"
        assert number(Decimal("-0.04"), 1) == "0.0"
