"""The reach of a period and area: known counts from the ``year`` fixture."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from methodica.activity import reach
from methodica.activity.reach import Area, Period
from tests.querycount import count_queries

YEAR = Period.year(2026)


def rows(breakdown):
    return {row.label: row.count for row in breakdown}


def test_the_district_counts_every_consultation_of_the_year_and_none_outside(
    year, district
):
    figures = reach.compute(YEAR, Area(district))
    assert figures.consultations == 7  # the first and last day included
    assert figures.consultation_minutes == 90
    assert figures.consultation_libraries == 2  # a person is not a library
    assert figures.follow_ups_pending == 1
    assert {r.key: r.count for r in figures.by_channel} == {
        "phone": 4,
        "email": 2,
        "social": 1,
    }
    assert rows(figures.by_topic) == {"Каталогизация": 3, "Статистика": 2, "—": 2}
    assert {r.key: r.count for r in figures.by_origin} == {"logged": 6, "request": 1}


def test_visits_and_recommendations_count_what_was_made_and_closed_in_the_period(
    year, district
):
    figures = reach.compute(YEAR, Area(district))
    assert (figures.visits_made, figures.libraries_visited) == (2, 1)
    assert figures.recommendations_made == 3
    # One left in 2026, one left by a 2025 visit and closed in 2026.
    assert figures.recommendations_closed == 2
    assert figures.recommendations_open == 2
    assert figures.recommendations_overdue == 1


def test_training_counts_libraries_and_librarians_once_however_often_they_came(
    year, district
):
    figures = reach.compute(YEAR, Area(district))
    assert figures.participations == 4
    assert figures.librarians_trained == 3
    assert figures.libraries_trained == 2
    assert figures.participant_hours == Decimal("22")
    # Session D (nobody attended) and the 2025 session are not held in 2026.
    assert (figures.sessions_held, figures.courses) == (2, 2)
    assert figures.hours_given == Decimal("10")
    assert rows(figures.sessions_by_programme) == {"Основи": 1, "Компютри": 1}
    assert {r.key: (r.count, r.extra) for r in figures.trained_by_type} == {
        "chitalishte": (2, 3)
    }


def test_libraries_reached_by_any_help_and_their_share_of_the_active_ones(
    year, district
):
    figures = reach.compute(YEAR, Area(district))
    assert figures.libraries_reached == 2
    assert figures.active_libraries == 2  # the closed library does not count
    assert figures.share_reached == Decimal("100.0")
    assert figures.not_reached == []


def test_a_municipality_counts_only_its_own_libraries(year, district, municipality):
    figures = reach.compute(YEAR, Area(district, municipality))
    assert figures.consultations == 5  # neither the other library nor the person
    assert figures.consultation_minutes == 70
    assert figures.recommendations_closed == 1
    assert figures.participations == 3
    assert (figures.librarians_trained, figures.libraries_trained) == (2, 1)
    assert figures.participant_hours == Decimal("16")
    assert figures.sessions_held == 2
    assert figures.libraries_reached == 1


def test_the_period_edges_are_inclusive_and_a_day_later_is_outside(year, district):
    first_day = Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))
    assert reach.compute(first_day, Area(district)).consultations == 1
    before = Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    figures = reach.compute(before, Area(district))
    assert figures.consultations == 1
    assert figures.participations == 1 and figures.visits_made == 1


def test_an_active_library_with_no_help_is_listed_as_not_reached(
    year, district, municipality
):
    from tests.factories import LibraryFactory, SettlementFactory

    lonely = LibraryFactory(settlement=SettlementFactory(municipality=municipality))
    figures = reach.compute(YEAR, Area(district))
    assert figures.not_reached == [lonely]
    assert figures.share_reached == Decimal("66.7")
    assert list(reach.records("not_reached", YEAR, Area(district))) == [lonely]


def test_every_figure_lists_exactly_the_records_it_counted(year, district):
    area = Area(district)
    figures = reach.compute(YEAR, area)
    expected = {
        "consultations": figures.consultations,
        "consultation_libraries": figures.consultation_libraries,
        "follow_ups_pending": figures.follow_ups_pending,
        "attendances": figures.participations,
        "libraries_trained": figures.libraries_trained,
        "librarians_trained": figures.librarians_trained,
        "sessions": figures.sessions_held,
        "visits": figures.visits_made,
        "recommendations_made": figures.recommendations_made,
        "recommendations_closed": figures.recommendations_closed,
        "recommendations_open": figures.recommendations_open,
        "recommendations_overdue": figures.recommendations_overdue,
        "reached": figures.libraries_reached,
        "not_reached": len(figures.not_reached),
    }
    assert set(expected) == set(reach.FIGURES)
    for figure, count in expected.items():
        assert reach.records(figure, YEAR, area).count() == count, figure
    phone = reach.records("consultations", YEAR, area, channel="phone")
    assert phone.count() == 4
    with pytest.raises(KeyError):
        reach.records("salaries", YEAR, area)


def test_the_figures_take_seven_queries_however_many_records(year, district):
    with count_queries() as queries:
        reach.compute(YEAR, Area(district))
    assert len(queries) == 7


def test_satisfaction_is_an_aggregate_that_names_no_respondent(year, district):
    means = reach.satisfaction(YEAR, Area(district))
    assert means == {year.session_a.pk: (Decimal("4.00"), 3)}
    # No figure lists survey responses or answers: only the mean above.
    assert not [f for f in reach.FIGURES if "answer" in f or "response" in f]


def test_a_session_with_too_few_responses_shows_no_mean(year, district):
    from methodica.training.models import Response

    Response.objects.filter(session=year.session_a).order_by("pk").first().delete()
    assert reach.satisfaction(YEAR, Area(district)) == {}
