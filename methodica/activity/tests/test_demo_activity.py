"""The demo district's year of help and training is plausible on any day it is
loaded, and its reach counts it."""

from __future__ import annotations

import datetime
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from methodica.activity import reach
from methodica.activity.demo import busy_year
from methodica.activity.reach import Area, Period
from methodica.libraries.demo import load_demo_district
from methodica.libraries.models import District, StaffMember
from methodica.support.models import Consultation, Recommendation, Visit
from methodica.training.models import (
    Certificate,
    Enrolment,
    Response,
    Session,
    SurveyTicket,
)

SOFIA = ZoneInfo("Europe/Sofia")


@pytest.fixture
def clock(monkeypatch):
    """``clock(day)``: from now on it is noon of ``day`` in Sofia, and time runs."""

    def set_day(day: datetime.date) -> datetime.date:
        real_now = timezone.now
        target = datetime.datetime(day.year, day.month, day.day, 12, tzinfo=SOFIA)
        offset = target - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
        assert timezone.localdate() == day
        return day

    return set_day


def test_the_busy_year_is_this_year_from_july_and_last_year_before():
    assert busy_year(datetime.date(2026, 1, 1)) == 2025
    assert busy_year(datetime.date(2026, 6, 30)) == 2025
    assert busy_year(datetime.date(2026, 7, 1)) == 2026
    assert busy_year(datetime.date(2026, 12, 31)) == 2026


def test_on_new_years_day_the_current_year_gets_no_consultations_yet():
    from methodica.support.demo import _consultation_years

    D = datetime.date
    assert _consultation_years(D(2026, 1, 1)) == [
        (D(2025, 1, 1), D(2025, 12, 31), 270),
        (D(2024, 1, 1), D(2024, 12, 31), 110),
    ]
    assert _consultation_years(D(2026, 3, 1))[2] == (D(2026, 1, 1), D(2026, 2, 28), 21)
    # From July the busy year runs up to yesterday.
    assert _consultation_years(D(2026, 7, 1))[0] == (D(2026, 1, 1), D(2026, 6, 30), 270)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2026, 1, 20),
        datetime.date(2026, 7, 1),
        datetime.date(2026, 12, 15),
    ],
    ids=str,
)
def test_the_demo_year_has_plausible_help_and_training_and_a_reporter_to_try_it(
    day, clock, without_reports
):
    today = clock(day)
    load_demo_district()
    district = District.objects.get()
    year = Period.year(busy_year(today))
    figures = reach.compute(year, Area(district))
    assert 200 <= figures.consultations <= 350
    assert {r.key for r in figures.by_channel} >= {"phone", "email", "social"}
    assert len(figures.by_topic) >= 8
    assert 70 <= figures.consultation_libraries <= 120
    assert 25 <= figures.visits_made <= 35
    assert figures.libraries_visited < figures.visits_made  # some visited twice
    assert 45 <= figures.recommendations_made <= 90
    assert 0 < figures.recommendations_closed < figures.recommendations_made
    assert figures.recommendations_overdue > 0
    assert figures.sessions_held == 6
    assert 160 <= figures.participations <= 220
    assert 120 <= figures.librarians_trained <= 170
    assert 50 < figures.libraries_trained <= 75
    assert figures.hours_given == 60
    assert 0 < figures.share_reached < 100
    assert figures.not_reached
    # Open questions asked from inside Methodica wait with an age.
    assert Consultation.objects.filter(status=Consultation.Status.OPEN).exists()
    # Sessions ahead: one with places left, one full with a waiting list.
    upcoming = Session.objects.upcoming()
    assert Enrolment.objects.filter(session__in=upcoming, status="waiting").exists()
    # Every attendance of a past session has its certificate, in the helper's format.
    attended = Enrolment.objects.filter(attended=True)
    assert Certificate.objects.count() == attended.count()
    code = Certificate.objects.first().code
    assert len(code) == 14 and code.count("-") == 2
    # The demo reporter has a staff record: enrolled ahead, a survey to answer.
    me = StaffMember.objects.get(user__username="demo-reporter")
    assert me.enrolments.filter(session__in=upcoming, status="enrolled").exists()
    assert SurveyTicket.objects.filter(enrolment__staff=me, used=False).exists()
    _nothing_is_dated_after_today(today)
    _sessions_never_share_the_room()
    _waiting_lists_are_first_come_first_served()
    _librarians_have_names_of_their_own()
    _methodologists_help_only_within_their_scope()
    # A second load changes nothing.
    counts = (Consultation.objects.count(), Certificate.objects.count())
    load_demo_district()
    assert (Consultation.objects.count(), Certificate.objects.count()) == counts
    again = reach.compute(year, Area(district))
    assert again.consultations == figures.consultations
    assert again.participations == figures.participations


def _nothing_is_dated_after_today(today):
    now = timezone.now()
    assert not Consultation.objects.filter(given_on__gt=today).exists()
    assert not Consultation.objects.filter(answered_at__gt=now).exists()
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    assert not Visit.objects.filter(status=Visit.Status.PLANNED, planned_for__lte=today)
    assert not Recommendation.objects.filter(closed_on__gt=today).exists()
    assert not Session.objects.filter(feedback_sent_at__gt=now).exists()
    assert not SurveyTicket.objects.filter(sent_at__gt=now).exists()
    assert not Certificate.objects.filter(issued_at__gt=now).exists()
    assert not Enrolment.objects.filter(requested_at__gt=now).exists()
    for response in Response.objects.select_related("session"):
        sent = timezone.localdate(response.session.feedback_sent_at)
        assert sent <= response.submitted_on <= today


def _sessions_never_share_the_room():
    sessions = list(Session.objects.exclude(place="").order_by("starts_at"))
    for earlier, later in itertools.pairwise(sessions):
        if earlier.place == later.place:
            assert earlier.ends_at < later.starts_at, (earlier, later)


def _waiting_lists_are_first_come_first_served():
    now = timezone.now()
    for session in Session.objects.upcoming():
        enrolments = list(session.enrolments.order_by("requested_at", "pk"))
        asked = [e.requested_at for e in enrolments]
        assert asked == sorted(set(asked)), session  # strictly increasing
        assert all(at < now for at in asked)
        waiting = [e.status == Enrolment.Status.WAITING for e in enrolments]
        # Everyone enrolled asked before anyone waiting.
        assert waiting == sorted(waiting), session


def _librarians_have_names_of_their_own():
    names = list(StaffMember.objects.values_list("full_name", flat=True))
    assert not [n for n in names if re.search(r"\d", n)]
    three_part = [n for n in names if len(n.split()) == 3]
    assert len(three_part) > 20
    assert len(set(three_part)) == len(three_part)


def _methodologists_help_only_within_their_scope():
    municipal = {"owner__username": "demo-municipal"}
    theirs = Consultation.objects.filter(**municipal)
    assert theirs.exists()
    assert not theirs.exclude(library__municipality__code="SZR12").exists()
    visits = Visit.objects.filter(methodologist__username="demo-municipal")
    assert not visits.exclude(library__municipality__code="SZR12").exists()
    # A person's consultation is district-level: never the municipal methodologist's.
    assert not theirs.filter(library__isnull=True).exists()
