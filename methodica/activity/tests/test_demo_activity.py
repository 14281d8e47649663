"""The demo district's year of help and training is plausible, and its reach counts it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from methodica.activity import reach
from methodica.activity.reach import Area, Period
from methodica.libraries.demo import load_demo_district
from methodica.libraries.models import District, StaffMember
from methodica.support.models import Consultation
from methodica.training.models import Certificate, Enrolment, Session, SurveyTicket


@pytest.mark.django_db
def test_the_demo_year_has_plausible_help_and_training_and_a_reporter_to_try_it():
    load_demo_district()
    district = District.objects.get()
    figures = reach.compute(Period.year(timezone.localdate().year), Area(district))
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
    # A second load changes nothing.
    counts = (Consultation.objects.count(), Certificate.objects.count())
    load_demo_district()
    assert (Consultation.objects.count(), Certificate.objects.count()) == counts
    again = reach.compute(Period.year(timezone.localdate().year), Area(district))
    assert again.consultations == figures.consultations
    assert again.participations == figures.participations
