"""Periodic jobs: the worker enqueues what is due, once, without cron."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from methodica.core import schedule
from methodica.core.models import PeriodicRun


@pytest.fixture
def calls(monkeypatch):
    made: list[str] = []
    monkeypatch.setattr(schedule, "_JOBS", {})
    schedule.register_periodic(
        "a.hourly",
        every=datetime.timedelta(hours=1),
        enqueue=lambda: made.append("hourly"),
    )
    schedule.register_periodic(
        "b.daily",
        every=datetime.timedelta(days=1),
        enqueue=lambda: made.append("daily"),
    )
    return made


@pytest.mark.django_db
def test_a_job_is_due_at_once_then_once_per_interval(calls):
    now = timezone.now()
    assert schedule.enqueue_due(now) == ["a.hourly", "b.daily"]
    assert schedule.enqueue_due(now + datetime.timedelta(minutes=59)) == []
    later = now + datetime.timedelta(hours=1)
    assert schedule.enqueue_due(later) == ["a.hourly"]
    assert calls == ["hourly", "daily", "hourly"]
    assert PeriodicRun.objects.get(name="a.hourly").last_enqueued_at == later


@pytest.mark.django_db
def test_two_workers_ticking_together_enqueue_a_job_once(calls):
    now = timezone.now()
    schedule.enqueue_due(now)
    tick = now + datetime.timedelta(days=2)
    first, second = schedule.enqueue_due(tick), schedule.enqueue_due(tick)
    assert first == ["a.hourly", "b.daily"] and second == []
    assert calls.count("daily") == 2


@pytest.mark.django_db
def test_a_broken_job_does_not_stop_the_others(calls, caplog):
    def broken():
        raise RuntimeError("queue unavailable")

    schedule.register_periodic(
        "0.broken", every=datetime.timedelta(hours=1), enqueue=broken
    )
    assert schedule.enqueue_due() == ["a.hourly", "b.daily"]
    assert "0.broken" in caplog.text


def test_the_apps_register_reminders_feedback_and_fixity():
    names = {job.name for job in schedule.jobs()}
    assert {"training.reminders", "training.feedback", "heritage.fixity"} <= names
