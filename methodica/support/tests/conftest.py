"""Fixtures of methodological help: the district's default taxonomies, and a
consultation, a question and a recorded visit for ``library``."""

from __future__ import annotations

import datetime

import pytest

from methodica.support import services
from methodica.support.models import ChecklistItem, Topic
from methodica.support.visits import FindingInput, RecommendationInput


@pytest.fixture
def topics(district):
    services.ensure_defaults(district)
    return {t.code: t for t in Topic.objects.filter(district=district)}


@pytest.fixture
def checklist(district):
    services.ensure_defaults(district)
    return list(ChecklistItem.objects.filter(district=district))


def consultation_data(library=None, **overrides):
    data = {
        "given_on": datetime.date(2026, 3, 2),
        "library": library,
        "person": "",
        "channel": "phone",
        "topic": None,
        "question": "Как се отчита читалищна библиотека?",
        "answer": "По формуляра на НСИ.",
        "minutes": 15,
        "read_level": 2,
        "follow_up": False,
    }
    data.update(overrides)
    return data


@pytest.fixture
def consultation(methodologist, district, library, topics):
    return services.log_consultation(
        actor=methodologist,
        district=district,
        data=consultation_data(library, topic=topics["statistics"]),
    )


@pytest.fixture
def other_consultation(methodologist, district, other_library):
    return services.log_consultation(
        actor=methodologist, district=district, data=consultation_data(other_library)
    )


@pytest.fixture
def question(reporter, library):
    return services.ask_question(
        actor=reporter, library=library, question="Как да отпишем стари книги?"
    )


@pytest.fixture
def planned_visit(methodologist, library):
    return services.plan_visit(
        actor=methodologist,
        library=library,
        planned_for=datetime.date(2026, 3, 10),
        purpose="Проверка на фонда",
    )


@pytest.fixture
def visit(methodologist, planned_visit, checklist):
    return services.record_visit(
        actor=methodologist,
        visit=planned_visit,
        visited_on=datetime.date(2026, 3, 10),
        met_with="Иванка Петрова, библиотекар",
        summary="Фондът е подреден; каталогът изостава.",
        findings=[
            FindingInput(item=item, rating="good", note="Добре") for item in checklist
        ],
        recommendations=[
            RecommendationInput(
                text="Да се довърши електронният каталог.",
                due_on=datetime.date(2026, 6, 30),
            ),
            RecommendationInput(
                text="Да се подменят два компютъра.",
                due_on=datetime.date(2026, 4, 1),
            ),
        ],
    )


@pytest.fixture
def other_visit(methodologist, other_library, checklist):
    visit = services.plan_visit(
        actor=methodologist,
        library=other_library,
        planned_for=datetime.date(2026, 3, 11),
    )
    return services.record_visit(
        actor=methodologist,
        visit=visit,
        visited_on=datetime.date(2026, 3, 11),
        met_with="",
        summary="",
        findings=[],
        recommendations=[
            RecommendationInput(
                text="Чужда препоръка", due_on=datetime.date(2026, 4, 1)
            )
        ],
    )


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what the services enqueued, as the worker would (in the test's transaction)."""
    from django_tasks_db.models import DBTaskResult

    def run(callbacks=None):
        done = 0
        for result in DBTaskResult.objects.order_by("enqueued_at"):
            kwargs = result.args_kwargs
            result.task.call(*kwargs["args"], **kwargs["kwargs"])
            result.delete()
            done += 1
        return done

    return run
