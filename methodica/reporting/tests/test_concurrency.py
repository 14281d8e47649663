"""Saving reports from many threads at once, on real transactions.

Each thread has its own database connection, so these tests see what concurrent
requests would: the row lock on the report and the revision check in
``services.save_report``. Threads start together at a barrier; nothing is timed.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from methodica.accounts.models import User
from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.core.permissions import Role
from methodica.reporting import services
from methodica.reporting.models import Report, ReportValue, ReportVersion
from methodica.reporting.reading import report_values
from tests.factories import LibraryFactory, SettlementFactory, member
from tests.report_data import cells

pytestmark = pytest.mark.django_db(transaction=True)

SOMEONE_ELSE = "Someone else saved this report meanwhile."


def another_reporter(library: Any, name: str) -> User:
    """A reporter of ``library``; no password (hashing one takes a while), as the
    services never ask for it."""
    user = User.objects.create(username=name, email=f"{name}@example.org")
    return member(user, Role.REPORTER, library)


def in_threads(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in its own thread, all released at once; their results
    (or the exception each raised), in order."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                results[index] = job()
        except Exception as exc:  # noqa: BLE001 - handed back to the test to inspect
            results[index] = exc
        finally:
            connection.close()  # each thread opened its own

    threads = [
        threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_of_several_saves_from_the_same_revision_exactly_one_wins(
    report, reporter, methodologist, district_admin, library
):
    second_reporter = another_reporter(library, "deputy")
    actors = [reporter, methodologist, district_admin, second_reporter]
    # each actor sends a different, complete and consistent year
    sent = [
        cells({"users_total": str(300 + i), "visits_physical": str(2400 + i)})
        for i in range(len(actors))
    ]

    def save(actor: Any, cells_sent: dict) -> Report:
        saved, _findings, errors = services.save_report(
            report=Report.objects.get(pk=report.pk),
            actor=actor,
            cells=cells_sent,
            revision=0,
        )
        assert errors == {}
        return saved

    results = in_threads(
        [lambda a=a, c=c: save(a, c) for a, c in zip(actors, sent, strict=True)]
    )

    won = [i for i, result in enumerate(results) if isinstance(result, Report)]
    assert len(won) == 1, results
    for i, result in enumerate(results):
        if i not in won:
            assert isinstance(result, DomainError), result
            assert SOMEONE_ELSE in result.message
    winner = won[0]
    stored = Report.objects.get(pk=report.pk)
    assert stored.revision == 1
    # the winner's year, whole: nothing of the losers mixed in, nothing lost
    stored_values = {
        code: (format(v.normalize(), "f") if hasattr(v, "normalize") else v)
        for code, v in report_values(stored).items()
    }
    assert {code: stored_values.get(code) for code in sent[winner]} == {
        code: ("1" if text == "да" else text)
        for code, (text, _m) in sent[winner].items()
    }
    version = ReportVersion.objects.get(report=report)
    assert (version.revision, version.saved_by) == (1, actors[winner])
    assert version.values["users_total"] == str(300 + winner)
    saved_entries = AuditEntry.objects.filter(
        action="report.saved", object_id=str(report.pk)
    )
    assert [e.actor for e in saved_entries] == [actors[winner]]


@pytest.fixture
def many_reports(district, municipality, district_admin):
    """Five libraries of the municipality, each with its reporter and its report."""
    libraries = [
        LibraryFactory(settlement=SettlementFactory(municipality=municipality))
        for _ in range(5)
    ]
    form = services.create_default_form(
        actor=district_admin, district=district, year=2025
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    return [
        (
            Report.objects.get(campaign=campaign, library=library),
            another_reporter(library, f"reporter{n}"),
        )
        for n, library in enumerate(libraries)
    ]


def test_reports_saved_in_parallel_keep_one_value_a_cell_and_one_version_a_save(
    many_reports,
):
    saves_each = 3

    def save_three_times(report: Report, actor: Any, number: int) -> int:
        revision = 0
        for step in range(saves_each):
            saved, _findings, errors = services.save_report(
                report=Report.objects.get(pk=report.pk),
                actor=actor,
                cells=cells({"events_count": str(number * 10 + step)}),
                revision=revision,
            )
            assert errors == {}
            revision = saved.revision
        return revision

    results = in_threads(
        [
            lambda r=r, a=a, n=n: save_three_times(r, a, n)
            for n, (r, a) in enumerate(many_reports)
        ]
    )

    assert results == [saves_each] * len(many_reports)
    for number, (report, actor) in enumerate(many_reports):
        versions = list(
            ReportVersion.objects.filter(report=report)
            .order_by("revision")
            .values_list("revision", "saved_by", "values__events_count")
        )
        assert versions == [
            (step + 1, actor.pk, str(number * 10 + step)) for step in range(saves_each)
        ]
        values = ReportValue.objects.filter(report=report)
        assert values.count() == values.values("indicator").distinct().count()
        assert set(cells()) <= set(values.values_list("indicator__code", flat=True))
        assert values.get(indicator__code="events_count").number == number * 10 + 2


def test_reporters_racing_on_one_report_retry_and_lose_no_save(
    report, reporter, library
):
    """Four people keep saving the same report; each retries when told someone else
    saved. Every save that was accepted is one version, in order, with no gap."""
    actors = [reporter] + [another_reporter(library, f"deputy{n}") for n in range(3)]
    saves_each = 3

    def keep_saving(actor: Any, number: int) -> int:
        done = refused = 0
        while done < saves_each:
            current = Report.objects.get(pk=report.pk)
            try:
                services.save_report(
                    report=current,
                    actor=actor,
                    cells=cells({"events_count": str(number * 100 + done)}),
                    revision=current.revision,
                )
            except DomainError as exc:
                assert SOMEONE_ELSE in exc.message
                refused += 1
            else:
                done += 1
        return refused

    results = in_threads(
        [lambda a=a, n=n: keep_saving(a, n) for n, a in enumerate(actors)]
    )
    # each thread ends with its count of refusals, not an exception (a refusal for
    # any other reason than a concurrent save fails the assertion inside)
    assert all(isinstance(r, int) for r in results), results

    total = saves_each * len(actors)
    stored = Report.objects.get(pk=report.pk)
    assert stored.revision == total
    versions = list(
        ReportVersion.objects.filter(report=report)
        .order_by("revision")
        .values_list("revision", "values__events_count")
    )
    assert [revision for revision, _ in versions] == list(range(1, total + 1))
    assert sorted(events for _, events in versions) == sorted(
        str(n * 100 + step) for n in range(len(actors)) for step in range(saves_each)
    )
    # the values stored are those of the last accepted save
    last = ReportValue.objects.get(report=report, indicator__code="events_count")
    assert format(last.number.normalize(), "f") == versions[-1][1]
    assert (
        AuditEntry.objects.filter(
            action="report.saved", object_id=str(report.pk)
        ).count()
        == total
    )
