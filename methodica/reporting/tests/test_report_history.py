"""A report's history: every save as a version, what it changed, and who."""

from __future__ import annotations

import pytest

from methodica.reporting import services
from tests.querycount import count_queries
from tests.report_data import cells


def save(report, actor, overrides=None):
    report.refresh_from_db()
    return services.save_report(
        report=report, actor=actor, cells=cells(overrides), revision=report.revision
    )[0]


@pytest.mark.django_db
def test_the_history_shows_each_save_with_the_values_it_changed(
    client_for, reporter, report
):
    save(report, reporter)
    save(report, reporter, {"loans_total": "12345"})
    page = client_for(reporter).get(f"/reports/{report.pk}/history/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Записване 2" in body and "Записване 1" in body
    rows = body.split("Записване 2", 1)[1].split("Записване 1", 1)[0]
    assert "loans_total" in rows and "12345" in rows
    assert "visits_physical" not in rows  # unchanged by the second save
    assert "reporter" in body  # who saved


@pytest.mark.django_db
def test_state_changes_appear_between_the_saves(
    client_for, reporter, methodologist, report
):
    save(report, reporter)
    report.refresh_from_db()
    services.submit_report(report=report, actor=reporter, justifications={})
    report.refresh_from_db()
    services.return_report(
        report=report, actor=methodologist, comments={}, general="Проверете заеманията."
    )
    body = client_for(reporter).get(f"/reports/{report.pk}/history/").content.decode()
    returned, submitted, saved = (
        body.index("Върнат за корекции"),
        body.index("Подаден"),
        body.index("Записване 1"),
    )
    assert returned < submitted < saved  # newest first


@pytest.mark.django_db
def test_a_reporter_cannot_read_another_librarys_history(
    client_for, reporter, other_reporter, other_report
):
    save(other_report, other_reporter)
    response = client_for(reporter).get(f"/reports/{other_report.pk}/history/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_history_runs_the_same_queries_however_many_saves(
    client_for, reporter, report
):
    client = client_for(reporter)
    save(report, reporter)
    with count_queries() as few:
        client.get(f"/reports/{report.pk}/history/")
    for number in range(30):
        save(report, reporter, {"loans_total": str(20000 + number)})
    with count_queries() as many:
        client.get(f"/reports/{report.pk}/history/?page=1")
    assert len(many) == len(few)
