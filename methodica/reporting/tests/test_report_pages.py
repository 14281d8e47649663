"""Reports through the web pages, and the consolidation."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from methodica.core.errors import DomainError
from methodica.reporting import services
from methodica.reporting.consolidation import consolidate
from methodica.reporting.models import Report
from tests.report_data import GOOD, cells


def post_cells(overrides=None, marks=None, revision=0):
    data = {"revision": str(revision)}
    for code, (text, mark) in cells(overrides, marks).items():
        data[f"v_{code}"] = text
        data[f"m_{code}"] = mark
    return data


@pytest.mark.django_db
def test_a_reporter_fills_in_the_report_in_the_browser_form(
    client_for, reporter, report
):
    client = client_for(reporter)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'name="v_loans_total"' in page and "Заети библиотечни документи" in page
    response = client.post(f"/reports/{report.pk}/", post_cells())
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and report.completeness == 100


@pytest.mark.django_db
def test_autosave_answers_with_the_checks_only(client_for, reporter, report):
    response = client_for(reporter).post(
        f"/reports/{report.pk}/",
        post_cells({"loans_children": "9999"}),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body and 'id="report-status"' in body
    assert "Заеманията за деца" in body  # the hard rule's message, in Bulgarian
    assert 'value="1"' in body  # the new revision, swapped in out of band


@pytest.mark.django_db
def test_a_wrong_number_is_explained_and_the_typed_text_kept(
    client_for, reporter, report
):
    response = client_for(reporter).post(
        f"/reports/{report.pk}/", post_cells({"visits_physical": "много"})
    )
    body = response.content.decode()
    assert (
        response.status_code == 200 and "не е число" in body and 'value="много"' in body
    )


@pytest.mark.django_db
def test_a_reporter_cannot_open_or_change_another_librarys_report(
    client_for, reporter, other_report
):
    client = client_for(reporter)
    assert client.get(f"/reports/{other_report.pk}/").status_code == 404
    assert client.post(f"/reports/{other_report.pk}/", post_cells()).status_code == 404
    assert client.post(f"/reports/{other_report.pk}/submit/").status_code == 404
    assert not other_report.values.exists()


@pytest.mark.django_db
def test_the_status_board_counts_reports_by_municipality(
    client_for, methodologist, report, reporter, campaign
):
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    page = (
        client_for(methodologist)
        .get(f"/reports/campaigns/{campaign.pk}/")
        .content.decode()
    )
    assert "Казанлък" in page and "Чирпан" in page and 'aria-valuenow="100"' in page


@pytest.mark.django_db
def test_a_reporter_cannot_see_the_board(client_for, reporter, campaign):
    assert (
        client_for(reporter).get(f"/reports/campaigns/{campaign.pk}/").status_code
        == 403
    )


def _accept(report, reporter, methodologist, overrides=None, marks=None):
    services.save_report(
        report=report,
        actor=reporter,
        cells=cells(overrides, marks),
        revision=report.revision,
    )
    services.submit_report(report=report, actor=reporter, justifications={})
    services.accept_report(report=report, actor=methodologist)


@pytest.mark.django_db
def test_the_consolidation_adds_accepted_numbers_skips_marks_and_shows_coverage(
    report, other_report, reporter, other_reporter, methodologist, municipality
):
    _accept(report, reporter, methodologist)
    services.save_report(
        report=other_report,
        actor=other_reporter,
        cells=cells({"visits_virtual": ""}, {"visits_virtual": "na"}),
        revision=0,
    )
    result = consolidate(report.campaign)
    assert result.district("loans_total").value == Decimal(GOOD["loans_total"])
    assert result.district("loans_total").coverage == "1/2"  # the other one is a draft
    services.submit_report(report=other_report, actor=other_reporter, justifications={})
    services.accept_report(report=other_report, actor=methodologist)
    result = consolidate(report.campaign)
    assert result.district("loans_total").value == 2 * Decimal(GOOD["loans_total"])
    assert result.district("visits_virtual").value == Decimal(GOOD["visits_virtual"])
    assert (
        result.district("visits_virtual").coverage == "1/2"
    )  # "not applicable" is no number
    assert result.total(municipality.pk, "loans_total").coverage == "1/1"


@pytest.mark.django_db
def test_the_consolidated_workbook_has_the_district_and_every_municipality(
    client_for, district_admin, report, reporter, methodologist, campaign
):
    _accept(report, reporter, methodologist)
    response = client_for(district_admin).get(
        f"/reports/campaigns/{campaign.pk}/consolidation.xlsx"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == [
        "Област",
        "Казанлък",
        "Чирпан",
        "Показатели за ефективност",
    ]
    rows = {row[0]: row for row in workbook["Област"].iter_rows(values_only=True)}
    assert rows["loans_total"][3] == float(GOOD["loans_total"])
    page = client_for(district_admin).get(
        f"/reports/campaigns/{campaign.pk}/consolidation/"
    )
    text = page.content.decode()
    # coverage for the district: 210 users / 850 people x 100 = 24,7 (Bulgarian format)
    assert page.status_code == 200 and "Обхватност" in text and "24,7" in text


@pytest.mark.django_db
def test_only_methodologists_see_the_consolidation(client_for, reporter, campaign):
    assert (
        client_for(reporter)
        .get(f"/reports/campaigns/{campaign.pk}/consolidation/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_an_administrator_opens_a_campaign_from_the_page(
    client_for, district_admin, library
):
    response = client_for(district_admin).post(
        "/reports/", {"year": "2025", "deadline": "2099-01-31"}
    )
    assert response.status_code == 302
    assert Report.objects.filter(library=library, campaign__form__year=2025).exists()


@pytest.mark.django_db(transaction=True)
def test_reminders_reach_the_libraries_that_have_not_submitted(
    client_for, district_admin, campaign, report, other_report, reporter, other_reporter
):
    from django.core import mail
    from django.core.management import call_command

    _accept(report, reporter, district_admin)
    client_for(district_admin).post(f"/reports/campaigns/{campaign.pk}/remind/")
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*"
    )
    assert [message.to for message in mail.outbox] == [[other_reporter.email]]
    assert f"/reports/{other_report.pk}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_administrator_allows_a_late_report(
    client_for, district_admin, report, reporter
):
    from methodica.reporting.models import Campaign

    Campaign.objects.filter(pk=report.campaign_id).update(deadline="2020-01-31")
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    with pytest.raises(DomainError, match=r"[Сс]рок"):
        services.submit_report(report=report, actor=reporter, justifications={})
    client_for(district_admin).post(
        f"/reports/{report.pk}/late/", {"until": "2099-02-15"}
    )
    assert (
        services.submit_report(report=report, actor=reporter, justifications={}).status
        == Report.Status.SUBMITTED
    )


@pytest.mark.django_db
def test_autosave_sends_the_recomputed_formula_cells_out_of_band(
    client_for, reporter, report
):
    body = (
        client_for(reporter)
        .post(
            f"/reports/{report.pk}/",
            post_cells({"visits_physical": "2500", "visits_virtual": "300"}),
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    cell = body.split('id="v_visits_total"', 1)[1].split(">", 1)[0]
    assert (
        'value="2800"' in cell and 'hx-swap-oob="true"' in cell and "readonly" in cell
    )


@pytest.mark.django_db
def test_the_full_page_has_each_field_once(client_for, reporter, report):
    page = client_for(reporter).get(f"/reports/{report.pk}/").content.decode()
    assert page.count('id="v_visits_total"') == 1 and page.count('id="revision"') == 1
