"""Performance indicators: ratios of consolidated totals, defined as data.

Each is a numerator and a denominator written in the rule language over the
totals of a place (a municipality, the district, a set of libraries or one
library), a scale, and a definition in each language. Worked examples in
``tests/test_performance.py`` pin every one of them. The population is the
reported population served (``population_served``), summed like any other
indicator: a per-capita figure divided by the settlement's census population
would count twice where two libraries serve one town.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from methodica.reporting.expressions import UNKNOWN, Expression, parse
from methodica.reporting.models import in_language


@lru_cache(maxsize=256)
def _ratio_part(source: str) -> Expression:
    """A numerator or denominator, parsed once: rankings and maps compute a ratio for
    every library and municipality."""
    return parse(source, expect="number")


@dataclass(frozen=True)
class Performance:
    code: str
    names: dict[str, str]
    numerator: str
    denominator: str
    scale: Decimal = Decimal(1)
    places: int = 2
    definitions: dict[str, str] | None = None

    @property
    def name(self) -> str:
        return in_language(self.names)

    @property
    def definition(self) -> str:
        return in_language(self.definitions) if self.definitions else ""

    @property
    def codes(self) -> set[str]:
        """The indicator codes the ratio reads."""
        return (
            _ratio_part(self.numerator).codes() | _ratio_part(self.denominator).codes()
        )

    def compute(self, totals: Mapping[str, Any]) -> Decimal | None:
        """The value for one place, or None when a part is missing or the denominator 0."""
        top = _ratio_part(self.numerator).evaluate(totals)
        bottom = _ratio_part(self.denominator).evaluate(totals)
        if top is UNKNOWN or bottom is UNKNOWN or not bottom:
            return None
        assert isinstance(top, Decimal) and isinstance(bottom, Decimal)
        return (top / bottom * self.scale).quantize(Decimal(1).scaleb(-self.places))


def _p(
    code: str,
    names: tuple[str, str, str],
    definitions: tuple[str, str, str],
    numerator: str,
    denominator: str,
    scale: int = 1,
    places: int = 2,
) -> Performance:
    languages = ("bg", "ru", "en")
    return Performance(
        code,
        dict(zip(languages, names, strict=True)),
        numerator,
        denominator,
        Decimal(scale),
        places,
        dict(zip(languages, definitions, strict=True)),
    )


INDICATORS: list[Performance] = [
    _p(
        "coverage",
        (
            "Обхватност (% от населението)",
            "Охват населения (%)",
            "Coverage (% of population)",
        ),
        (
            "Регистрираните потребители като процент от обслужваното население.",
            "Зарегистрированные пользователи в процентах от обслуживаемого населения.",
            "Registered users as a percentage of the population served.",
        ),
        "users_total",
        "population_served",
        100,
        1,
    ),
    _p(
        "loans_per_capita",
        ("Заемания на жител", "Книговыдача на жителя", "Loans per capita"),
        (
            "Всички заемания за годината, разделени на обслужваното население.",
            "Вся книговыдача за год, делённая на обслуживаемое население.",
            "All loans of the year divided by the population served.",
        ),
        "loans_total",
        "population_served",
    ),
    _p(
        "visits_per_capita",
        ("Посещения на жител", "Посещения на жителя", "Visits per capita"),
        (
            "Физическите и виртуалните посещения, разделени на обслужваното население.",
            "Физические и виртуальные посещения, делённые на обслуживаемое население.",
            "Physical and virtual visits divided by the population served.",
        ),
        "visits_physical + visits_virtual",
        "population_served",
    ),
    _p(
        "users_per_capita",
        (
            "Потребители на жител",
            "Пользователи на жителя",
            "Registered users per capita",
        ),
        (
            "Регистрираните потребители, разделени на обслужваното население.",
            "Зарегистрированные пользователи, делённые на обслуживаемое население.",
            "Registered users divided by the population served.",
        ),
        "users_total",
        "population_served",
        1,
        3,
    ),
    _p(
        "stock_per_inhabitant",
        (
            "Книгоосигуреност на жител",
            "Книгообеспеченность на жителя",
            "Stock per inhabitant",
        ),
        (
            "Фондът в края на годината, разделен на обслужваното население.",
            "Фонд на конец года, делённый на обслуживаемое население.",
            "The collection at the end of the year divided by the population served.",
        ),
        "collection_end",
        "population_served",
    ),
    _p(
        "stock_per_user",
        (
            "Книгоосигуреност на потребител",
            "Книгообеспеченность на пользователя",
            "Stock per user",
        ),
        (
            "Фондът в края на годината, разделен на регистрираните потребители.",
            "Фонд на конец года, делённый на зарегистрированных пользователей.",
            "The collection at the end of the year divided by the registered users.",
        ),
        "collection_end",
        "users_total",
    ),
    _p(
        "loans_per_user",
        ("Читаемост", "Читаемость", "Loans per user"),
        (
            "Заеманията, разделени на регистрираните потребители.",
            "Книговыдача, делённая на зарегистрированных пользователей.",
            "Loans divided by the registered users.",
        ),
        "loans_total",
        "users_total",
    ),
    _p(
        "visits_per_user",
        ("Посещаемост", "Посещаемость", "Visits per user"),
        (
            "Физическите посещения, разделени на регистрираните потребители.",
            "Физические посещения, делённые на зарегистрированных пользователей.",
            "Physical visits divided by the registered users.",
        ),
        "visits_physical",
        "users_total",
    ),
    _p(
        "turnover",
        ("Обръщаемост на фонда", "Обращаемость фонда", "Collection turnover"),
        (
            "Заеманията, разделени на фонда в края на годината: колко пъти средно "
            "е заета всяка единица.",
            "Книговыдача, делённая на фонд на конец года: сколько раз в среднем "
            "выдана каждая единица.",
            "Loans divided by the collection at the end of the year: how many times "
            "each item was lent on average.",
        ),
        "loans_total",
        "collection_end",
    ),
    _p(
        "acquisitions_per_1000",
        (
            "Новопостъпления на 1000 жители",
            "Поступления на 1000 жителей",
            "Acquisitions per 1,000 population",
        ),
        (
            "Новите единици за годината на 1000 души обслужвано население; "
            "стандартът от 2015 г. посочва 150.",
            "Новые поступления за год на 1000 человек обслуживаемого населения; "
            "стандарт 2015 года называет 150.",
            "Items added in the year per 1,000 of the population served; the 2015 "
            "national Standard quotes 150.",
        ),
        "acquired_total",
        "population_served",
        1000,
        1,
    ),
    _p(
        "expenditure_per_loan",
        (
            "Разход за едно заемане (лв.)",
            "Расходы на одну выдачу",
            "Expenditure per loan",
        ),
        (
            "Всички разходи, разделени на заеманията.",
            "Все расходы, делённые на книговыдачу.",
            "All expenditure divided by the loans.",
        ),
        "expenditure_total",
        "loans_total",
    ),
    _p(
        "expenditure_per_capita",
        (
            "Разход на жител (лв.)",
            "Расходы на жителя",
            "Expenditure per capita",
        ),
        (
            "Всички разходи, разделени на обслужваното население.",
            "Все расходы, делённые на обслуживаемое население.",
            "All expenditure divided by the population served.",
        ),
        "expenditure_total",
        "population_served",
    ),
    _p(
        "expenditure_per_user",
        (
            "Разход на потребител (лв.)",
            "Расходы на пользователя",
            "Expenditure per user",
        ),
        (
            "Всички разходи, разделени на регистрираните потребители (ISO 11620).",
            "Все расходы, делённые на зарегистрированных пользователей (ISO 11620).",
            "All expenditure divided by the registered users (ISO 11620).",
        ),
        "expenditure_total",
        "users_total",
    ),
    _p(
        "expenditure_per_visit",
        (
            "Разход за едно посещение (лв.)",
            "Расходы на одно посещение",
            "Expenditure per visit",
        ),
        (
            "Всички разходи, разделени на физическите и виртуалните посещения "
            "(ISO 11620).",
            "Все расходы, делённые на физические и виртуальные посещения (ISO 11620).",
            "All expenditure divided by the physical and virtual visits (ISO 11620).",
        ),
        "expenditure_total",
        "visits_physical + visits_virtual",
    ),
    _p(
        "acquisitions_to_staff_expenditure",
        (
            "Разходи за комплектуване към разходи за персонал",
            "Расходы на комплектование к расходам на персонал",
            "Acquisition to staff expenditure",
        ),
        (
            "Разходите за набавяне, разделени на разходите за персонал (ISO 11620).",
            "Расходы на комплектование, делённые на расходы на персонал (ISO 11620).",
            "Expenditure on acquisitions divided by expenditure on staff (ISO 11620).",
        ),
        "expenditure_acquisitions",
        "expenditure_staff",
    ),
    _p(
        "staff_per_1000",
        (
            "Персонал на 1000 жители",
            "Персонал на 1000 жителей",
            "Staff (FTE) per 1,000 population",
        ),
        (
            "Щатните бройки (FTE) на 1000 души обслужвано население.",
            "Штатные единицы (FTE) на 1000 человек обслуживаемого населения.",
            "Staff in full-time equivalents per 1,000 of the population served.",
        ),
        "staff_fte",
        "population_served",
        1000,
        3,
    ),
    _p(
        "qualified_share",
        (
            "Дял на персонала с библиотечно образование (%)",
            "Доля персонала с библиотечным образованием (%)",
            "Share of staff with a library qualification (%)",
        ),
        (
            "Щатните бройки с библиотечно образование като процент от всички.",
            "Штатные единицы с библиотечным образованием в процентах от всех.",
            "Staff FTE with a library qualification as a percentage of all staff FTE.",
        ),
        "staff_qualified_fte",
        "staff_fte",
        100,
        1,
    ),
    _p(
        "users_per_librarian",
        (
            "Потребители на библиотекар",
            "Пользователей на библиотекаря",
            "Users per librarian (FTE)",
        ),
        (
            "Регистрираните потребители на една щатна бройка персонал.",
            "Зарегистрированные пользователи на одну штатную единицу персонала.",
            "Registered users per staff full-time equivalent.",
        ),
        "users_total",
        "staff_fte",
        1,
        1,
    ),
]
