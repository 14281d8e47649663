"""factory_boy factories for the training models (shared by the training tests)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from methodica.training.models import Course, Enrolment, Programme, Session
from tests.factories import DistrictFactory, StaffFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    district = factory.SubFactory(DistrictFactory)
    title = factory.Sequence(lambda n: f"Основи на библиотечната работа {n}")
    description = "За библиотекари без професионална подготовка."


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Каталогизация {n}")
    description = "Практически семинар."
    outcomes = "Описва книга по стандарта\nПодрежда фонда"
    hours = Decimal("8.0")


class SessionFactory(factory.django.DjangoModelFactory):
    """A scheduled session a week from now, four hours long."""

    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=4))
    place = "Регионална библиотека, зала 2"
    trainer = "Иванка Петрова"
    capacity = 20
    hours = factory.LazyAttribute(lambda o: o.course.hours)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    session = factory.SubFactory(SessionFactory)
    staff = factory.SubFactory(StaffFactory)
    status = Enrolment.Status.ENROLLED
