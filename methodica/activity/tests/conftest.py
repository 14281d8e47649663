"""A year of help and training with known counts, for the reach and report tests.

In 2026 (the period), inside the district's two municipalities:

- consultations: ``library`` 3 by phone (topic cataloguing, 10 minutes each, one
  waiting for a follow-up) and 2 by email (topic statistics, 20 minutes), one of
  them asked from inside Methodica; ``other_library`` 1 in the social-media group
  (no topic, 5 minutes); a person (no library) 1 by phone (15 minutes); a question
  asked from inside Methodica and still waiting for its answer does not count yet
  (see the tests that add one); outside the
  period: 2025-12-31 and 2027-01-01 for ``library``. The period's first and last
  days (2026-01-01, 2026-12-31) are among those counted.
- visits: ``library`` made on 2026-03-10 (2 recommendations: one closed on
  2026-06-01, one open and overdue) and on 2026-09-15 (1 recommendation, open, not
  due); ``other_library`` planned only; a visit made in 2025 to ``other_library``
  whose recommendation was closed on 2026-02-01.
- training: session A (2026-04-14, 6 hours): staff a1, a2 of ``library`` and b1 of
  ``other_library`` attended, b2 enrolled but absent; session B (2026-10-20,
  4 hours, another programme): a1 attended again. Session C (2025-11-10) had b1
  attend; session D (2026-11-05) had nobody attend. Anonymous survey answers for
  session A: scores 5, 4, 3 on a Likert item, and one comment.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from methodica.libraries.models import Library
from methodica.support.models import Consultation, Recommendation, Topic, Visit
from methodica.training.models import (
    Answer,
    Course,
    Enrolment,
    Programme,
    Question,
    Response,
    Session,
    Survey,
)
from tests.factories import LibraryFactory, SettlementFactory, StaffFactory

D = datetime.date


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def consult(district, library, day, channel, topic=None, minutes=10, **extra):
    values = {"question": "Как се попълва дневникът?", "answer": "Така."} | extra
    return Consultation.objects.create(
        district=district,
        library=library,
        person="" if library else "Г-жа Петрова",
        given_on=day,
        channel=channel,
        topic=topic,
        minutes=minutes,
        **values,
    )


def visit(library, day, status=Visit.Status.DONE):
    return Visit.objects.create(
        library=library,
        planned_for=day,
        visited_on=day if status == Visit.Status.DONE else None,
        status=status,
        purpose="Проверка на фонда",
    )


def recommend(visit_, due, status=Recommendation.Status.OPEN, closed_on=None):
    return Recommendation.objects.create(
        visit=visit_,
        library=visit_.library,
        text="Да се подреди фондът",
        due_on=due,
        status=status,
        closed_on=closed_on,
    )


def session(course, day, hours):
    return Session.objects.create(
        course=course,
        starts_at=at(day),
        ends_at=at(day, 16),
        trainer="Иванка Петрова",
        capacity=20,
        hours=Decimal(hours),
    )


def enrol(session_, staff, attended=True):
    return Enrolment.objects.create(
        session=session_,
        staff=staff,
        status=Enrolment.Status.ENROLLED,
        attended=attended,
    )


@pytest.fixture
def year(district, library, other_library):
    cataloguing = Topic.objects.create(
        district=district, code="cataloguing", names={"bg": "Каталогизация"}
    )
    statistics = Topic.objects.create(
        district=district, code="statistics", names={"bg": "Статистика"}
    )
    phone, email = Consultation.Channel.PHONE, Consultation.Channel.EMAIL
    consult(district, library, D(2026, 1, 1), phone, cataloguing, follow_up=True)
    consult(district, library, D(2026, 2, 3), phone, cataloguing)
    consult(district, library, D(2026, 5, 6), phone, cataloguing)
    consult(district, library, D(2026, 7, 8), email, statistics, 20)
    consult(
        district,
        library,
        D(2026, 12, 31),
        email,
        statistics,
        20,
        origin=Consultation.Origin.REQUEST,
        answered_at=at(D(2026, 12, 31), 15),
    )
    consult(
        district, other_library, D(2026, 3, 3), Consultation.Channel.SOCIAL, None, 5
    )
    consult(district, None, D(2026, 4, 4), phone, None, 15)
    consult(district, library, D(2025, 12, 31), phone, cataloguing)
    consult(district, library, D(2027, 1, 1), phone, cataloguing)

    spring = visit(library, D(2026, 3, 10))
    recommend(spring, D(2026, 5, 1), Recommendation.Status.DONE, D(2026, 6, 1))
    recommend(spring, D(2026, 5, 1))  # open and overdue
    autumn = visit(library, D(2026, 9, 15))
    recommend(autumn, D(2099, 1, 1), Recommendation.Status.IN_PROGRESS)
    visit(other_library, D(2026, 11, 30), Visit.Status.PLANNED)
    old = visit(other_library, D(2025, 10, 1))
    recommend(old, D(2025, 12, 1), Recommendation.Status.DONE, D(2026, 2, 1))

    basics = Programme.objects.create(district=district, title="Основи")
    computers = Programme.objects.create(district=district, title="Компютри")
    workshop = Course.objects.create(programme=basics, title="Каталогизация")
    course = Course.objects.create(programme=computers, title="Интернет")
    a1, a2 = StaffFactory(library=library), StaffFactory(library=library)
    b1, b2 = StaffFactory(library=other_library), StaffFactory(library=other_library)
    session_a = session(workshop, D(2026, 4, 14), "6")
    for person in (a1, a2, b1):
        enrol(session_a, person)
    enrol(session_a, b2, attended=False)
    session_b = session(course, D(2026, 10, 20), "4")
    enrol(session_b, a1)
    enrol(session(workshop, D(2025, 11, 10), "6"), b1)
    enrol(session(workshop, D(2026, 11, 5), "6"), a2, attended=None)

    survey = Survey.objects.create(district=district, title="Обратна връзка")
    item = Question.objects.create(
        survey=survey, kind=Question.Kind.LIKERT, texts={"bg": "Научих нещо ново"}
    )
    comment = Question.objects.create(
        survey=survey, kind=Question.Kind.TEXT, texts={"bg": "Коментар"}
    )
    for score in (5, 4, 3):
        response = Response.objects.create(session=session_a, survey=survey)
        Answer.objects.create(response=response, question=item, score=score)
    Answer.objects.create(
        response=response, question=comment, text="Много полезно, благодаря – Гергана"
    )
    # A closed library elsewhere: neither active nor reached.
    LibraryFactory(
        settlement=SettlementFactory(municipality=library.municipality),
        status=Library.Status.CLOSED,
    )
    return SimpleNamespace(
        session_a=session_a, session_b=session_b, a1=a1, a2=a2, b1=b1, b2=b2
    )
