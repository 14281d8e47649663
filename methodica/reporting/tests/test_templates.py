"""The spreadsheet path: download the template, fill it, upload it; and zips of many."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from methodica.reporting import services
from methodica.reporting.models import Report, ReportValue
from methodica.reporting.spreadsheet import FIRST_ROW
from tests.report_data import GOOD, cells


def download(client, report) -> openpyxl.Workbook:
    response = client.get(f"/reports/{report.pk}/template.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def fill(workbook: openpyxl.Workbook, values: dict[str, str], marks=None) -> bytes:
    sheet = workbook.worksheets[0]
    marks = marks or {}
    for row in range(FIRST_ROW, sheet.max_row + 1):
        code = sheet.cell(row=row, column=1).value
        if code in values:
            sheet.cell(row=row, column=5, value=values[code])
        if code in marks:
            sheet.cell(row=row, column=6, value=marks[code])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_template_carries_identity_last_year_and_validation(
    client_for, reporter, report, district_admin, district, library
):
    workbook = download(client_for(reporter), report)
    sheet = workbook.worksheets[0]
    assert sheet["A2"].value == library.name
    assert sheet.protection.sheet is True
    assert workbook["methodica"].sheet_state == "hidden"
    kinds = {validation.type for validation in sheet.data_validations.dataValidation}
    assert {"whole", "list", "decimal"} <= kinds


@pytest.mark.django_db
def test_a_filled_template_is_saved(client_for, reporter, report):
    client = client_for(reporter)
    data = fill(download(client, report), GOOD, marks={"visits_virtual": "неизвестно"})
    response = client.post(
        f"/reports/{report.pk}/template/",
        {"file": SimpleUploadedFile("report.xlsx", data)},
    )
    assert response.status_code == 302
    values = {
        v.indicator.code: v
        for v in ReportValue.objects.filter(report=report).select_related("indicator")
    }
    assert values["loans_total"].number == 5200
    assert (
        values["visits_virtual"].mark == "unknown"
        and values["visits_virtual"].number is None
    )


@pytest.mark.django_db
def test_a_template_with_a_hard_error_saves_nothing_and_says_where(
    client_for, reporter, report
):
    client = client_for(reporter)
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    data = fill(
        download(client, report),
        {**GOOD, "loans_children": "9000", "visits_physical": "много"},
    )
    response = client.post(
        f"/reports/{report.pk}/template/",
        {"file": SimpleUploadedFile("report.xlsx", data)},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "visits_physical" in page and "не е число" in page
    assert (
        ReportValue.objects.get(report=report, indicator__code="loans_children").number
        == 1500
    )


@pytest.mark.django_db
def test_another_librarys_template_is_refused(
    client_for, reporter, report, other_report, methodologist
):
    other = fill(download(client_for(methodologist), other_report), GOOD)
    response = client_for(reporter).post(
        f"/reports/{report.pk}/template/",
        {"file": SimpleUploadedFile("x.xlsx", other)},
        follow=True,
    )
    assert (
        "друг отчет" in response.content.decode()
        or "another report" in response.content.decode()
    )
    assert not ReportValue.objects.exists()


@pytest.mark.django_db
def test_a_tampered_or_foreign_file_is_refused(client_for, reporter, report):
    workbook = download(client_for(reporter), report)
    workbook["methodica"]["A1"] = f"{report.pk + 1}:2025:1:forged"
    forged = fill(workbook, GOOD)
    response = client_for(reporter).post(
        f"/reports/{report.pk}/template/",
        {"file": SimpleUploadedFile("x.xlsx", forged)},
        follow=True,
    )
    assert not ReportValue.objects.exists()
    plain = openpyxl.Workbook()
    buffer = io.BytesIO()
    plain.save(buffer)
    response = client_for(reporter).post(
        f"/reports/{report.pk}/template/",
        {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())},
        follow=True,
    )
    assert response.status_code == 200 and not ReportValue.objects.exists()


@pytest.mark.django_db
def test_a_zip_of_templates_saves_each_file_on_its_own(
    client_for, methodologist, report, other_report
):
    client = client_for(methodologist)
    good = fill(download(client, report), GOOD)
    bad = fill(download(client, other_report), {**GOOD, "users_children": "999"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("svetlina.xlsx", good)
        archive.writestr("probuda.xlsx", bad)
        archive.writestr("notes.txt", "ignored")
    response = client.post(
        f"/reports/campaigns/{report.campaign_id}/upload/",
        {"file": SimpleUploadedFile("all.zip", buffer.getvalue())},
    )
    page = response.content.decode()
    assert "svetlina.xlsx" in page and "probuda.xlsx" in page
    assert ReportValue.objects.filter(report=report).exists()
    assert not ReportValue.objects.filter(report=other_report).exists()
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


@pytest.mark.django_db
def test_a_reporter_cannot_upload_a_zip(client_for, reporter, campaign):
    response = client_for(reporter).post(
        f"/reports/campaigns/{campaign.pk}/upload/", {}
    )
    assert response.status_code == 403
