"""The reach of a period and area: known counts from the ``year`` fixture."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from methodica.activity import reach
from methodica.activity.reach import Area, Period
from methodica.activity.tests.conftest import at, consult, enrol, recommend, visit
from methodica.libraries.models import Library
from methodica.support.models import Consultation, Recommendation, Visit
from methodica.training.models import Course, Programme, Session
from tests.factories import (
    DistrictFactory,
    LibraryFactory,
    MunicipalityFactory,
    SettlementFactory,
    StaffFactory,
)
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
        "recommendations_dropped": figures.recommendations_dropped,
        "recommendations_open": figures.recommendations_open,
        "recommendations_overdue": figures.recommendations_overdue,
        "reached": figures.libraries_reached,
        "active_libraries": figures.active_libraries,
        "active_reached": figures.active_reached,
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


def test_a_cancelled_session_counts_for_nothing_even_with_attendance_marked(
    year, district
):
    year.session_b.status = Session.Status.CANCELLED
    year.session_b.save(update_fields=["status"])
    figures = reach.compute(YEAR, Area(district))
    assert (figures.sessions_held, figures.participations) == (1, 3)
    assert figures.hours_given == Decimal("6")
    assert figures.participant_hours == Decimal("18")
    assert year.session_b not in reach.records("sessions", YEAR, Area(district))
    assert not reach.records("attendances", YEAR, Area(district)).filter(
        session=year.session_b
    )


def test_another_districts_session_is_not_this_districts_training(
    year, district, library
):
    elsewhere = Programme.objects.create(
        district=DistrictFactory(code="HKV", name="Хасково"), title="Чужда"
    )
    course = Course.objects.create(programme=elsewhere, title="Чужд курс")
    day = datetime.date(2026, 6, 2)
    foreign = Session.objects.create(
        course=course,
        starts_at=at(day),
        ends_at=at(day, 16),
        trainer="Друг",
        capacity=10,
        hours=Decimal("4"),
    )
    enrol(foreign, year.a1)
    figures = reach.compute(YEAR, Area(district))
    assert (figures.sessions_held, figures.participations) == (2, 4)


def test_a_question_still_waiting_for_its_answer_is_not_a_consultation_given(
    year, district, library
):
    asked = dict(
        origin=Consultation.Origin.REQUEST,
        channel=Consultation.Channel.SYSTEM,
        minutes=0,
    )
    Consultation.objects.create(
        district=district,
        library=library,
        given_on=datetime.date(2026, 8, 1),
        question="Как да опишем местен вестник?",
        status=Consultation.Status.OPEN,
        **asked,
    )
    figures = reach.compute(YEAR, Area(district))
    assert figures.consultations == 7
    assert {r.key: r.count for r in figures.by_origin} == {"logged": 6, "request": 1}
    # Once answered it counts, even if a reply reopens the thread later.
    Consultation.objects.filter(status=Consultation.Status.OPEN).update(
        answered_at=timezone.now()
    )
    assert reach.compute(YEAR, Area(district)).consultations == 8


def test_a_dropped_recommendation_is_closed_and_counted_apart(year, district, library):
    autumn = Visit.objects.get(visited_on=datetime.date(2026, 9, 15))
    recommend(
        autumn,
        datetime.date(2026, 10, 1),
        Recommendation.Status.DROPPED,
        datetime.date(2026, 10, 5),
    )
    figures = reach.compute(YEAR, Area(district))
    assert figures.recommendations_made == 4
    assert figures.recommendations_closed == 3
    assert figures.recommendations_dropped == 1
    assert figures.recommendations_open == 2
    dropped = reach.records("recommendations_dropped", YEAR, Area(district))
    assert [r.status for r in dropped] == [Recommendation.Status.DROPPED]


def test_a_reached_library_closed_since_counts_as_reached_but_not_as_active(
    year, district, municipality
):
    helped = LibraryFactory(settlement=SettlementFactory(municipality=municipality))
    consult(district, helped, datetime.date(2026, 2, 2), Consultation.Channel.PHONE)
    Library.objects.filter(pk=helped.pk).update(status=Library.Status.CLOSED)
    area = Area(district)
    figures = reach.compute(YEAR, area)
    assert figures.libraries_reached == 3
    assert (figures.active_reached, figures.active_libraries) == (2, 2)
    assert figures.share_reached == Decimal("100.0")
    assert reach.records("reached", YEAR, area).count() == 3
    assert reach.records("active_reached", YEAR, area).count() == 2
    # Each municipality's count is what its line's records page lists.
    for row in figures.reached_by_municipality:
        listed = reach.records("active_reached", YEAR, area, municipality=row.key)
        assert listed.count() == row.count, row.label
    (kazanlak,) = [r for r in figures.reached_by_municipality if r.label == "Казанлък"]
    assert (kazanlak.count, kazanlak.total, kazanlak.share) == (1, 1, Decimal("100.0"))


def test_a_municipality_without_active_libraries_has_no_share(district):
    empty = MunicipalityFactory(district=district, name="Гурково")
    LibraryFactory(
        settlement=SettlementFactory(municipality=empty), status=Library.Status.CLOSED
    )
    figures = reach.compute(YEAR, Area(district))
    assert figures.share_reached is None
    assert [(r.label, r.total, r.share) for r in figures.reached_by_municipality] == [
        ("Гурково", 0, None)
    ]


@pytest.mark.parametrize(
    ("local", "counted_in"),
    [
        (datetime.datetime(2026, 1, 1, 0, 30), 2026),  # 2025-12-31 22:30 UTC
        (datetime.datetime(2026, 12, 31, 23, 30), 2026),  # 21:30 UTC
        (datetime.datetime(2025, 12, 31, 23, 30), 2025),
    ],
)
def test_sessions_near_midnight_count_in_their_sofia_year(
    local, counted_in, district, library
):
    from zoneinfo import ZoneInfo

    programme = Programme.objects.create(district=district, title="Нощна")
    course = Course.objects.create(programme=programme, title="Новогодишен курс")
    starts = local.replace(tzinfo=ZoneInfo("Europe/Sofia"))
    session = Session.objects.create(
        course=course,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=20),
        trainer="Нощен",
        capacity=5,
        hours=Decimal("1"),
    )
    enrol(session, StaffFactory(library=library))
    for year_ in (2025, 2026, 2027):
        held = reach.compute(Period.year(year_), Area(district)).sessions_held
        assert held == (1 if year_ == counted_in else 0), year_


def test_a_visit_planned_only_does_not_reach_a_library(district, library):
    visit(library, datetime.date(2026, 5, 5), Visit.Status.PLANNED)
    figures = reach.compute(YEAR, Area(district))
    assert (figures.visits_made, figures.libraries_reached) == (0, 0)
