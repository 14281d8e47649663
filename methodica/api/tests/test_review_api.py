"""Reviewing reports over REST: return with comments, accept; reporters cannot."""

from __future__ import annotations

import pytest

from methodica.api.tests.test_register_api import api
from methodica.reporting import services
from methodica.reporting.models import FieldComment, Report
from tests.report_data import cells


def submitted(report, reporter):
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    report.refresh_from_db()
    return services.submit_report(report=report, actor=reporter, justifications={})


@pytest.mark.django_db
def test_a_methodologist_returns_a_report_with_a_comment_on_a_field(
    methodologist, reporter, report
):
    submitted(report, reporter)
    response = api(methodologist).post(
        f"/api/v1/reports/{report.pk}/return/",
        {"comments": {"loans_total": "Сверете с дневника."}, "general": ""},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "returned"
    comment = FieldComment.objects.get(report=report)
    assert comment.indicator.code == "loans_total" and comment.author == methodologist


@pytest.mark.django_db
def test_a_return_without_any_comment_is_refused_and_changes_nothing(
    methodologist, reporter, report
):
    submitted(report, reporter)
    response = api(methodologist).post(
        f"/api/v1/reports/{report.pk}/return/", {"comments": {}}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


@pytest.mark.django_db
def test_a_methodologist_accepts_a_submitted_report(methodologist, reporter, report):
    submitted(report, reporter)
    response = api(methodologist).post(f"/api/v1/reports/{report.pk}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"


@pytest.mark.django_db
def test_a_reporter_cannot_accept_even_their_own_report(reporter, report):
    submitted(report, reporter)
    response = api(reporter).post(f"/api/v1/reports/{report.pk}/accept/")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


@pytest.mark.django_db
def test_a_reporter_cannot_reach_another_librarys_report_to_review_it(
    reporter, other_reporter, other_report
):
    submitted(other_report, other_reporter)
    client = api(reporter)
    assert client.post(f"/api/v1/reports/{other_report.pk}/accept/").status_code == 404
    assert (
        client.post(
            f"/api/v1/reports/{other_report.pk}/return/",
            {"general": "x"},
            format="json",
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_report_id_that_is_not_a_number_is_not_found(methodologist):
    client = api(methodologist)
    assert client.get("/api/v1/reports/abc/").status_code == 404
    assert client.post("/api/v1/reports/abc/accept/").status_code == 404
