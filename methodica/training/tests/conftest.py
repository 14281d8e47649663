"""Fixtures of the feedback and certificate tests: a session that has ended, and the
librarians who attended it (two of ``library``, one of ``other_library``)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from methodica.training import surveys
from methodica.training.models import Enrolment
from methodica.training.tests.factories import (
    CourseFactory,
    ProgrammeFactory,
    SessionFactory,
)
from tests.factories import StaffFactory


@pytest.fixture
def past_session(district):
    programme = ProgrammeFactory(
        district=district, title="Основи на библиотечната работа"
    )
    course = CourseFactory(programme=programme, title="Каталогизация")
    starts = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
    return SessionFactory(
        course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=4)
    )


@pytest.fixture
def default_survey(district):
    return surveys.ensure_default_survey(district=district)


def attend(session, staff):
    return Enrolment.objects.create(
        session=session, staff=staff, status=Enrolment.Status.ENROLLED, attended=True
    )


@pytest.fixture
def own_staff(library, reporter):
    """The reporter's own staff record, linked to their account."""
    return StaffFactory(
        library=library,
        full_name="Йорданка Стоянова",
        email="yordanka@example.org",
        user=reporter,
    )


@pytest.fixture
def colleague(library):
    return StaffFactory(
        library=library, full_name="Цветелина Ангелова", email="tsveti@example.org"
    )


@pytest.fixture
def other_staff(other_library, other_reporter):
    return StaffFactory(
        library=other_library,
        full_name="Жечка Русева",
        email="zhechka@example.org",
        user=other_reporter,
    )


@pytest.fixture
def attendees(past_session, own_staff, colleague, other_staff):
    return [attend(past_session, s) for s in (own_staff, colleague, other_staff)]


# --- the training core's tests: a course of the district and a session next week


@pytest.fixture
def course(district):
    return CourseFactory(programme__district=district, title="Каталогизация")


@pytest.fixture
def upcoming_session(course):
    """A session a week from now with two places."""
    return SessionFactory(course=course, capacity=2)


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks run at once (after the commit), as the worker would."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture
def in_english(client, settings):
    """Pages, messages and emails in English, whatever the catalogues hold."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
