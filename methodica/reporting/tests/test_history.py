"""Past years from the consolidated spreadsheet: map, preview, then accepted reports."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from methodica.reporting.consolidation import consolidate
from methodica.reporting.models import Campaign, HistoryImport, Report


def workbook(
    rows, headers=("Библиотека", "Регистрирани потребители – общо", "loans_total")
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("svod-2019.xlsx", buffer.getvalue())


def upload_and_preview(client, upload, year="2019"):
    response = client.post("/reports/history/", {"year": year, "file": upload})
    if response.status_code != 302:
        return response, None
    history = HistoryImport.objects.latest("created_at")
    data = {
        f"col_{i}": history.mapping.get(h, "") for i, h in enumerate(history.headers)
    }
    client.post(f"/reports/history/{history.pk}/mapping/", data)
    history.refresh_from_db()
    return response, history


@pytest.mark.django_db
def test_a_past_year_becomes_accepted_reports_after_a_clean_preview(
    client_for, district_admin, library, other_library
):
    client = client_for(district_admin)
    _response, history = upload_and_preview(
        client,
        workbook(
            [
                (library.chitalishte_number, 180, 4900),
                (other_library.name, 95, "2 300"),
            ]
        ),
    )
    assert history.mapping == {
        "Библиотека": "__library__",
        "Регистрирани потребители – общо": "users_total",
        "loans_total": "loans_total",
    }
    assert history.preview["counts"] == {"ok": 2, "error": 0}
    assert not Report.objects.exists()  # nothing written before the confirmation
    client.post(f"/reports/history/{history.pk}/apply/")
    campaign = Campaign.objects.get(form__year=2019)
    assert campaign.state == Campaign.State.CLOSED
    result = consolidate(campaign)
    assert result.district("loans_total").value == 7200
    assert result.district("users_total").coverage == "2/2"


@pytest.mark.django_db
def test_unknown_libraries_duplicates_and_bad_numbers_are_listed_and_nothing_is_written(
    client_for, district_admin, library
):
    client = client_for(district_admin)
    _response, history = upload_and_preview(
        client,
        workbook(
            [
                ("НЧ „Няма такова“", 10, 10),
                (library.name, "сто", 10),
                (library.chitalishte_number, 10, 10),
            ]
        ),
    )
    rows = {row["number"]: row for row in history.preview["rows"]}
    assert rows[2]["errors"][0]["column"] == "Библиотека"
    assert {e["column"] for e in rows[3]["errors"]} == {
        "Регистрирани потребители – общо"
    }
    assert (
        "ред 3" in rows[4]["errors"][0]["message"]
        or "row 3" in rows[4]["errors"][0]["message"]
    )
    client.post(f"/reports/history/{history.pk}/apply/")
    assert not Report.objects.exists() and not Campaign.objects.exists()


@pytest.mark.django_db
def test_only_the_administrator_imports_history(client_for, methodologist):
    assert client_for(methodologist).get("/reports/history/").status_code == 403
