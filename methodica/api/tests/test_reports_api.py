from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from methodica.api.tests.test_register_api import api
from methodica.reporting import services
from methodica.reporting.models import Campaign, Report, ReportValue
from tests.report_data import cells


def body(overrides=None, marks=None, revision=0):
    return {
        "revision": revision,
        "values": {
            code: {"value": text, "mark": mark}
            for code, (text, mark) in cells(overrides, marks).items()
        },
    }


@pytest.mark.django_db
def test_a_reporter_lists_and_fills_only_their_own_report(
    reporter, report, other_report
):
    client = api(reporter)
    listed = client.get("/api/v1/reports/").json()["results"]
    assert [row["id"] for row in listed] == [report.pk]
    assert client.get(f"/api/v1/reports/{other_report.pk}/").status_code == 404
    assert (
        client.put(
            f"/api/v1/reports/{other_report.pk}/values/", body(), format="json"
        ).status_code
        == 404
    )
    response = client.put(f"/api/v1/reports/{report.pk}/values/", body(), format="json")
    assert response.status_code == 200
    assert response.json()["report"]["values"]["loans_total"] == {
        "value": "5200",
        "mark": "",
    }


@pytest.mark.django_db
def test_through_the_api_a_bad_cell_saves_nothing(reporter, report):
    response = api(reporter).put(
        f"/api/v1/reports/{report.pk}/values/",
        body({"loans_total": "x"}),
        format="json",
    )
    assert response.status_code == 400 and "loans_total" in response.json()["values"]
    assert not ReportValue.objects.filter(report=report).exists()
    report.refresh_from_db()
    assert report.revision == 0


@pytest.mark.django_db
def test_a_stale_revision_through_the_api_is_a_400(reporter, report):
    client = api(reporter)
    client.put(f"/api/v1/reports/{report.pk}/values/", body(), format="json")
    response = client.put(
        f"/api/v1/reports/{report.pk}/values/",
        body({"users_total": "1"}),
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_submitting_through_the_api_needs_justified_warnings(reporter, report):
    client = api(reporter)
    client.put(
        f"/api/v1/reports/{report.pk}/values/",
        body({"collection_end": "12300", "collection_books": "11700"}),
        format="json",
    )
    refused = client.post(f"/api/v1/reports/{report.pk}/submit/", {}, format="json")
    assert refused.status_code == 400 and "stock_balance" in refused.json()
    done = client.post(
        f"/api/v1/reports/{report.pk}/submit/",
        {"justifications": {"stock_balance": "Дарение."}},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "submitted"


@pytest.mark.django_db
def test_open_data_has_accepted_totals_of_closed_years_only(
    report, reporter, methodologist, campaign
):
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    services.submit_report(report=report, actor=reporter, justifications={})
    services.accept_report(report=report, actor=methodologist)
    anonymous = APIClient()
    assert anonymous.get("/api/v1/open-data/2025/").status_code == 404  # still open
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.CLOSED)
    rows = anonymous.get("/api/v1/open-data/2025/").json()
    district = {row["indicator"]: row for row in rows if row["area"] == "Стара Загора"}
    assert district["loans_total"]["total"] == "5200.00"
    assert district["loans_total"]["reports_with_value"] == 1
    assert {key for row in rows for key in row} == {
        "year",
        "area",
        "indicator",
        "unit",
        "total",
        "suppressed",
        "reports_with_value",
        "reports_expected",
    }
    csv_file = anonymous.get("/api/v1/open-data/2025/", {"file": "csv"})
    assert csv_file["Content-Type"].startswith("text/csv")
    assert b"loans_total" in csv_file.content
    assert Report.objects.filter(status="accepted").count() == 1
