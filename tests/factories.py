"""factory_boy factories for the register and accounts."""

from __future__ import annotations

from decimal import Decimal

import factory

from methodica.accounts.models import Membership, User
from methodica.libraries.models import (
    District,
    Library,
    Municipality,
    Settlement,
    StaffMember,
)

PASSWORD = "correct-horse-battery-staple"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    name = "Стара Загора"
    code = "SZR"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Община {n}")
    code = factory.Sequence(lambda n: f"M{n:04d}")


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settlement

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Село {n}")
    ekatte = factory.Sequence(lambda n: f"{10000 + n:05d}")
    kind = Settlement.Kind.VILLAGE
    population = 800


class LibraryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Library

    name = factory.Sequence(lambda n: f"НЧ „Просвета – {1850 + n % 150}“ {n}")
    library_type = Library.Type.CHITALISHTE
    settlement = factory.SubFactory(SettlementFactory)
    municipality = factory.SelfAttribute("settlement.municipality")
    chitalishte_number = factory.Sequence(lambda n: f"T-{n}")
    register_number = factory.Sequence(lambda n: f"R-{n}")
    latitude = Decimal("42.4250")
    longitude = Decimal("25.6340")
    opening_hours = factory.LazyFunction(lambda: {"mon": "09:00-12:00, 13:00-17:00"})


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    library = factory.SubFactory(LibraryFactory)
    full_name = factory.Sequence(lambda n: f"Демо Служител {n}")
    position = "библиотекар"
    fte = Decimal("1.00")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])


def member(user: User, role: str, scope: object) -> User:
    Membership.objects.create(user=user, role=role, **{scope._meta.model_name: scope})
    return user
