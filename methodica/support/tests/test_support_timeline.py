"""Consultations, visits and open recommendations on the library's timeline."""

from __future__ import annotations

import pytest

from methodica.core.timeline import events_for
from methodica.libraries.models import Library
from methodica.support import services
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db


def _kinds(library, user):
    library = Library.objects.with_place().get(pk=library.pk)
    return {event.kind for event in events_for(library, user)}


def test_the_timeline_shows_help_given_to_the_library(
    methodologist, library, consultation, visit
):
    kinds = _kinds(library, methodologist)
    assert {"consultation", "visit", "recommendation"} <= kinds


def test_the_library_page_shows_the_timeline(client_for, reporter, library, visit):
    response = client_for(reporter).get(f"/libraries/{library.pk}/")
    assert response.status_code == 200
    assert "/help/visits/" in response.content.decode()
    assert "/help/ask/?library=" in response.content.decode()


def test_a_cataloguer_sees_no_help_on_the_timeline(
    cataloguer, library, consultation, visit
):
    kinds = _kinds(library, cataloguer)
    assert not kinds & {"consultation", "visit", "recommendation"}


def test_closed_recommendations_leave_the_timeline(methodologist, library, visit):
    for recommendation in visit.recommendations.all():
        services.update_recommendation(
            actor=methodologist,
            recommendation=recommendation,
            status="done",
            progress_note="",
        )
    assert "recommendation" not in _kinds(library, methodologist)


def test_each_source_is_one_query(methodologist, district, library, visit, topics):
    from methodica.support.tests.conftest import consultation_data

    library = Library.objects.with_place().get(pk=library.pk)
    events_for(library, methodologist)
    with count_queries() as few:
        events_for(library, methodologist)
    for _ in range(3):
        services.log_consultation(
            actor=methodologist,
            district=district,
            data=consultation_data(library, topic=topics["other"]),
        )
    with count_queries() as more:
        events_for(library, methodologist)
    assert len(more) == len(few)


def test_an_open_recommendation_is_placed_when_made_not_in_the_future(
    methodologist, library, visit
):
    from django.utils import timezone

    library = Library.objects.with_place().get(pk=library.pk)
    events = [
        e for e in events_for(library, methodologist) if e.kind == "recommendation"
    ]
    assert len(events) == 2
    assert all(event.at <= timezone.now() for event in events)
    assert all("2026" in event.detail for event in events)  # the due date
