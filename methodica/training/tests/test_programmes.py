"""Programmes and courses, with their modules, kept by those who run training."""

from __future__ import annotations

from decimal import Decimal

import pytest

from methodica.core.models import AuditEntry
from methodica.training.models import Course, Programme
from methodica.training.tests.factories import CourseFactory, ProgrammeFactory
from tests.querycount import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_a_methodologist_adds_a_programme(client_for, methodologist, district):
    response = client_for(methodologist).post(
        "/training/programmes/",
        {"title": "Основи на библиотечната работа", "active": "on"},
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert programme.district == district
    assert AuditEntry.objects.filter(action="programme.created").count() == 1


def test_a_course_is_saved_with_its_outcomes_and_modules(
    client_for, methodologist, district
):
    programme = ProgrammeFactory(district=district)
    response = client_for(methodologist).post(
        f"/training/programmes/{programme.pk}/courses/new/",
        {
            "title": "Компютърни умения",
            "description": "",
            "outcomes": "Пише писмо\n\nТърси в каталога",
            "hours": "16",
            "position": "0",
            "modules-TOTAL_FORMS": "3",
            "modules-INITIAL_FORMS": "0",
            "modules-0-title": "Текстообработка",
            "modules-0-hours": "8",
            "modules-1-title": "Интернет",
            "modules-1-hours": "8",
            "modules-2-title": "",
            "modules-2-hours": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    course = Course.objects.get()
    assert course.outcome_list() == ["Пише писмо", "Търси в каталога"]
    assert [(m.title, m.hours) for m in course.modules.all()] == [
        ("Текстообработка", Decimal("8.0")),
        ("Интернет", Decimal("8.0")),
    ]
    assert AuditEntry.objects.get(action="course.created").changes["modules"]


def test_a_course_without_hours_is_refused_and_nothing_is_saved(
    client_for, methodologist, district
):
    programme = ProgrammeFactory(district=district)
    response = client_for(methodologist).post(
        f"/training/programmes/{programme.pk}/courses/new/",
        {
            "title": "Без часове",
            "hours": "0",
            "position": "0",
            "modules-TOTAL_FORMS": "0",
            "modules-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "hours" in response.context["form"].errors
    assert not Course.objects.exists()


def test_reporter_cannot_manage_programmes(client_for, reporter, district):
    programme = ProgrammeFactory(district=district)
    client = client_for(reporter)
    assert client.get("/training/programmes/").status_code == 403
    assert client.get(f"/training/programmes/{programme.pk}/").status_code == 404


def test_the_programme_list_asks_a_fixed_number_of_queries(
    client_for, methodologist, district
):
    client = client_for(methodologist)
    CourseFactory(programme=ProgrammeFactory(district=district))
    with count_queries() as few:
        client.get("/training/programmes/")
    for _ in range(5):
        CourseFactory(programme=ProgrammeFactory(district=district))
    with count_queries() as many:
        response = client.get("/training/programmes/")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_training_home_lists_upcoming_sessions_with_an_enrol_button(
    client_for, reporter, upcoming_session
):
    response = client_for(reporter).get("/training/")
    page = response.content.decode()
    assert upcoming_session.course.title in page
    assert f"/training/sessions/{upcoming_session.pk}/#enrol" in page


def test_the_navigation_shows_training(client_for, reporter):
    response = client_for(reporter).get("/training/")
    assert 'href="/training/"' in response.content.decode()
