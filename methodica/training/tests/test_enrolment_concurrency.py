"""Two people asking for the last place at once, on real transactions."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from methodica.training import services
from methodica.training.models import Enrolment
from methodica.training.tests.factories import EnrolmentFactory, SessionFactory
from tests.factories import StaffFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_english"),
]


def in_threads(work: list) -> list[Any]:
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int, job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - handed back to the test to inspect
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_enrolling_for_the_last_place_get_one_place_and_one_wait(
    course, library, methodologist
):
    upcoming = SessionFactory(course=course, capacity=2)
    EnrolmentFactory(session=upcoming, staff__library=library)
    first, second = StaffFactory(library=library), StaffFactory(library=library)
    results = in_threads(
        [
            lambda: services.enrol(session=upcoming, staff=first, actor=methodologist),
            lambda: services.enrol(session=upcoming, staff=second, actor=methodologist),
        ]
    )
    assert all(isinstance(result, Enrolment) for result in results), results
    assert sorted(result.status for result in results) == ["enrolled", "waiting"]
    assert upcoming.enrolments.holding_a_place().count() == 2
