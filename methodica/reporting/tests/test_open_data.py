"""Open data as files: written when a year is closed, accepted totals only, no
personal data, nothing of an open year, public, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from methodica.core.errors import DomainError
from methodica.libraries.models import Municipality
from methodica.reporting import open_data, services
from methodica.reporting.models import Campaign, Indicator, Report
from tests.factories import StaffFactory
from tests.querycount import count_queries
from tests.report_data import GOOD, cells

NOT_ACCEPTED_LOANS = "98765"  # a figure only the returned report holds


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every test writes its files to a fresh folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _submit(report, reporter, overrides=None):
    _saved, findings, errors = services.save_report(
        report=report,
        actor=reporter,
        cells=cells(overrides),
        revision=report.revision,
    )
    assert not errors
    services.submit_report(
        report=report,
        actor=reporter,
        justifications={finding.code: "Проверено." for finding in findings},
    )


@pytest.fixture
def year_to_close(report, other_report, reporter, other_reporter, methodologist):
    """``report`` accepted; ``other_report`` submitted, then returned: not accepted."""
    _submit(report, reporter)
    services.accept_report(report=report, actor=methodologist)
    _submit(
        other_report,
        other_reporter,
        {"loans_total": NOT_ACCEPTED_LOANS, "loans_books": "98265"},
    )
    services.return_report(
        report=other_report, actor=methodologist, comments={}, general="Проверете."
    )
    return report.campaign


def _file(campaign, key):
    kind = next(k for k in open_data.KINDS if k.key == key)
    return open_data.storage_path(campaign, kind)


def _read(campaign, key) -> bytes:
    with default_storage.open(_file(campaign, key), "rb") as handle:
        return handle.read()


def _all_text(campaign) -> str:
    """Everything the files of a year say, the workbook's cells included."""
    texts = [_read(campaign, key).decode("utf-8") for key in ("csv", "json")]
    texts.append(_read(campaign, "dictionary").decode("utf-8"))
    workbook = openpyxl.load_workbook(io.BytesIO(_read(campaign, "xlsx")))
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            texts.append(" ".join("" if v is None else str(v) for v in row))
    return "\n".join(texts)


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads Cyrillic
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.django_db(transaction=True)
def test_closing_a_year_writes_its_open_data_files(
    client_for, district_admin, year_to_close
):
    campaign = year_to_close
    assert not default_storage.exists(_file(campaign, "csv"))
    response = client_for(district_admin).post(
        f"/reports/campaigns/{campaign.pk}/close/"
    )
    assert response.status_code == 302
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*"
    )
    for kind in open_data.KINDS:
        assert default_storage.exists(open_data.storage_path(campaign, kind)), kind
    rows = _csv_rows(_read(campaign, "csv"))
    loans = {row["area"]: row for row in rows if row["indicator"] == "loans_total"}
    assert loans["Стара Загора"]["total"] == GOOD["loans_total"]
    assert loans["Стара Загора"]["reports_with_value"] == "1"
    assert loans["Стара Загора"]["reports_expected"] == "2"
    assert loans["Чирпан"]["total"] == ""  # its report was returned, not accepted
    assert loans["Чирпан"]["reports_with_value"] == "0"


@pytest.mark.django_db
def test_the_files_hold_accepted_totals_only(year_to_close, district_admin):
    campaign = services.close_campaign(actor=district_admin, campaign=year_to_close)
    open_data.publish(campaign)
    assert (
        Report.objects.get(campaign=campaign, library__municipality__name="Чирпан")
        .values.filter(number=NOT_ACCEPTED_LOANS)
        .exists()
    )
    assert NOT_ACCEPTED_LOANS not in _all_text(campaign)
    body = json.loads(_read(campaign, "json"))
    district = {
        row["indicator"]: row for row in body["totals"] if row["level"] == "district"
    }
    assert district["loans_total"]["total"] == int(GOOD["loans_total"])
    assert (body["reports_accepted"], body["reports_expected"]) == (1, 2)
    dictionary = {row["indicator"]: row for row in body["dictionary"]}
    assert dictionary["loans_total"]["name_en"] == "Loans, total"
    assert dictionary["loans_total"]["name_ru"] and dictionary["loans_total"]["unit"]


@pytest.mark.django_db
def test_the_files_hold_no_personal_data(
    year_to_close, district_admin, reporter, library, other_library
):
    StaffFactory(library=library, full_name="Иванка Петрова Стоянова", email="i@x.bg")
    library.email, library.phone = "chitalishte@example.bg", "0431 62 000"
    library.save(update_fields=["email", "phone"])
    campaign = services.close_campaign(actor=district_admin, campaign=year_to_close)
    open_data.publish(campaign)
    text = _all_text(campaign)
    for personal in [
        "Иванка",
        "i@x.bg",
        "chitalishte@example.bg",
        "0431 62 000",
        reporter.email,
        reporter.username,
        district_admin.username,
        "Проверете",  # the methodologist's comment
        "Проверено",  # the reporter's justification
        library.name,  # totals are by municipality, never a single library's
        other_library.name,
    ]:
        assert personal not in text, personal


@pytest.mark.django_db
def test_the_files_of_an_open_year_are_not_reachable(client, campaign, report):
    # even a stale file in the storage is never served while the year is open
    kind = open_data.KINDS[0]
    default_storage.save(open_data.storage_path(campaign, kind), ContentFile(b"x"))
    name = open_data.file_name(campaign, kind)
    assert client.get(f"/open-data/szr/2025/{name}").status_code == 404
    assert "2025" not in client.get("/open-data/").content.decode()
    assert APIClient().get("/api/v1/open-data/").json() == []
    with pytest.raises(DomainError):
        open_data.publish(campaign)
    assert default_storage.listdir("open-data/szr/2025")[1] == [name]  # no new file


@pytest.mark.django_db
def test_anyone_downloads_a_closed_years_files_made_on_demand(
    client, year_to_close, district_admin
):
    campaign = services.close_campaign(actor=district_admin, campaign=year_to_close)
    assert not default_storage.exists(_file(campaign, "csv"))  # no worker ran here
    page = client.get("/open-data/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2025" in text and "CC BY 4.0" in text and "/api/v1/open-data/" in text
    name = open_data.file_name(campaign, open_data.KINDS[0])
    response = client.get(f"/open-data/szr/2025/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert name in response["Content-Disposition"]
    rows = _csv_rows(b"".join(response.streaming_content))
    assert {row["area"] for row in rows} == {"Стара Загора", "Казанлък", "Чирпан"}
    assert default_storage.exists(_file(campaign, "xlsx"))  # written with it
    workbook = openpyxl.load_workbook(io.BytesIO(_read(campaign, "xlsx")))
    assert workbook.sheetnames == ["totals", "dictionary", "about"]
    assert client.get("/open-data/szr/2025/../../settings.py").status_code == 404
    assert client.get("/open-data/szr/2025/other.csv").status_code == 404


@pytest.mark.django_db
def test_no_spreadsheet_cell_of_the_files_can_run_as_a_formula(
    year_to_close, district_admin, municipality
):
    Municipality.objects.filter(pk=municipality.pk).update(
        name='=HYPERLINK("http://evil.example","Казанлък")'
    )
    Indicator.objects.filter(form=year_to_close.form, code="loans_total").update(
        names={"bg": "@SUM(A1:A9)", "ru": "+cmd|' /C calc'!A0", "en": "-2+3"}
    )
    campaign = services.close_campaign(actor=district_admin, campaign=year_to_close)
    open_data.publish(campaign)
    areas = {row["area"] for row in _csv_rows(_read(campaign, "csv"))}
    assert '\'=HYPERLINK("http://evil.example","Казанлък")' in areas
    names = {row["indicator"]: row for row in _csv_rows(_read(campaign, "dictionary"))}[
        "loans_total"
    ]
    assert names["name_bg"] == "'@SUM(A1:A9)"
    assert names["name_ru"] == "'+cmd|' /C calc'!A0"
    assert names["name_en"] == "'-2+3"
    workbook = openpyxl.load_workbook(io.BytesIO(_read(campaign, "xlsx")))
    cells_ = [c for row in workbook["totals"].iter_rows() for c in row]
    evil = [c for c in cells_ if str(c.value).startswith("=HYPERLINK")]
    assert evil and all(c.data_type == "s" for c in evil)  # text, not a formula


@pytest.mark.django_db
def test_the_command_regenerates_the_files_of_closed_years(
    year_to_close, district_admin, campaign
):
    with pytest.raises(CommandError, match="not closed"):
        call_command("publish_open_data", "--year", "2025", stdout=io.StringIO())
    services.close_campaign(actor=district_admin, campaign=year_to_close)
    out = io.StringIO()
    call_command("publish_open_data", "--year", "2025", stdout=out)
    call_command("publish_open_data", stdout=out)  # again: the files are replaced
    assert "Published 1 years." in out.getvalue()
    _folders, files = default_storage.listdir("open-data/szr/2025")
    assert sorted(files) == sorted(
        open_data.file_name(campaign, kind) for kind in open_data.KINDS
    )


def _closed_year(district_admin, district, year):
    form = services.create_default_form(
        actor=district_admin, district=district, year=year
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    return services.close_campaign(actor=district_admin, campaign=campaign)


@pytest.mark.django_db
def test_the_open_data_page_runs_the_same_queries_for_any_number_of_years(
    client, district_admin, district, library
):
    _closed_year(district_admin, district, 2020)
    with count_queries() as one_year:
        assert client.get("/open-data/").status_code == 200
    for year in (2021, 2022, 2023):
        _closed_year(district_admin, district, year)
    with count_queries() as four_years:
        page = client.get("/open-data/")
    assert all(str(year) in page.content.decode() for year in (2020, 2023))
    assert len(one_year) == len(four_years) == 1


@pytest.mark.django_db
def test_the_api_lists_the_closed_years_with_their_file_addresses(
    district_admin, district, library
):
    campaign = _closed_year(district_admin, district, 2024)
    anonymous = APIClient()
    (entry,) = anonymous.get("/api/v1/open-data/").json()
    assert (entry["district"], entry["year"], entry["licence"]) == (
        "SZR",
        2024,
        "CC BY 4.0",
    )
    assert set(entry["files"]) == {"csv", "json", "xlsx", "dictionary"}
    download = anonymous.get(entry["files"]["json"])
    assert json.loads(b"".join(download.streaming_content))["year"] == 2024
    assert anonymous.get(entry["api"]).status_code == 200  # ?district=SZR
    assert anonymous.get("/api/v1/open-data/2024/?district=XYZ").status_code == 404
    schema = anonymous.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/open-data/" in schema["paths"]
    assert "/api/v1/open-data/{year}/" in schema["paths"]
    assert Campaign.objects.get(pk=campaign.pk).state == "closed"


@pytest.mark.django_db(transaction=True)
def test_a_report_reopened_after_the_year_closed_is_corrected_and_republished(
    district_admin, methodologist, reporter, year_to_close, report
):
    def run_worker():
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--queue-name",
            "*",
        )

    campaign = services.close_campaign(actor=district_admin, campaign=year_to_close)
    run_worker()
    services.reopen_report(report=report, actor=district_admin, reason="Грешка.")
    run_worker()  # while it is being corrected, it is out of the totals
    rows = _csv_rows(_read(campaign, "csv"))
    assert {r["total"] for r in rows if r["indicator"] == "loans_total"} == {""}
    report.refresh_from_db()
    _submit(report, reporter, {"loans_total": "5300", "loans_books": "4800"})
    report.refresh_from_db()
    services.accept_report(report=report, actor=methodologist)
    run_worker()
    rows = _csv_rows(_read(campaign, "csv"))
    district = next(
        r for r in rows if r["indicator"] == "loans_total" and r["level"] == "district"
    )
    assert district["total"] == "5300"


@pytest.mark.django_db
def test_a_returned_report_cannot_be_submitted_once_the_year_is_closed(
    district_admin, other_reporter, year_to_close, other_report
):
    services.close_campaign(actor=district_admin, campaign=year_to_close)
    other_report.refresh_from_db()
    with pytest.raises(DomainError):
        services.submit_report(
            report=other_report, actor=other_reporter, justifications={}
        )


@pytest.mark.django_db
def test_staff_and_money_of_fewer_than_three_reports_are_withheld(
    year_to_close, district_admin
):
    campaign = services.close_campaign(actor=district_admin, campaign=year_to_close)
    open_data.publish(campaign)
    rows = _csv_rows(_read(campaign, "csv"))
    pay = [
        r
        for r in rows
        if r["level"] == "municipality"
        and r["indicator"] == "expenditure_staff"
        and r["reports_with_value"] == "1"
    ]
    assert pay and all(r["total"] == "" and r["suppressed"] == "True" for r in pay)
    loans = [
        r
        for r in rows
        if r["indicator"] == "loans_total" and r["reports_with_value"] == "1"
    ]
    assert loans and all(r["total"] == GOOD["loans_total"] for r in loans)
    district_pay = next(
        r
        for r in rows
        if r["level"] == "district" and r["indicator"] == "expenditure_staff"
    )
    assert district_pay["total"] == GOOD["expenditure_staff"]
    assert district_pay["suppressed"] == "False"
    api = APIClient().get(f"/api/v1/open-data/{campaign.year}/").json()
    withheld = [r for r in api if r["suppressed"]]
    assert withheld and all(r["total"] is None for r in withheld)
    assert {r["indicator"] for r in withheld} <= {
        "staff_fte",
        "staff_qualified_fte",
        "income_total",
        "expenditure_total",
        "expenditure_staff",
        "expenditure_acquisitions",
        "expenditure_other",
    }


@pytest.mark.django_db
def test_a_district_code_that_is_not_a_slug_is_still_listed(
    client, year_to_close, district_admin, district
):
    services.close_campaign(actor=district_admin, campaign=year_to_close)
    district.code = "СЗР"
    district.save(update_fields=["code"])
    assert client.get("/open-data/").status_code == 200
    assert APIClient().get("/api/v1/open-data/").status_code == 200
