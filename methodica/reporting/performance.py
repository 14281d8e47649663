"""Performance indicators: ratios of consolidated totals, defined as data.

Each is a numerator and a denominator written in the rule language over the
totals of a place (a municipality or the district), a scale, and a definition.
Worked examples in ``tests/test_performance.py`` pin every one of them. The
population is the reported population served (``population_served``), summed
like any other indicator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from methodica.reporting.expressions import UNKNOWN, parse
from methodica.reporting.models import in_language


@dataclass(frozen=True)
class Performance:
    code: str
    names: dict[str, str]
    numerator: str
    denominator: str
    scale: Decimal = Decimal(1)
    places: int = 2

    @property
    def name(self) -> str:
        return in_language(self.names)

    def compute(self, totals: Mapping[str, Any]) -> Decimal | None:
        """The value for one place, or None when a part is missing or the denominator 0."""
        top = parse(self.numerator, expect="number").evaluate(totals)
        bottom = parse(self.denominator, expect="number").evaluate(totals)
        if top is UNKNOWN or bottom is UNKNOWN or not bottom:
            return None
        assert isinstance(top, Decimal) and isinstance(bottom, Decimal)
        return (top / bottom * self.scale).quantize(Decimal(1).scaleb(-self.places))


def _p(
    code: str,
    bg: str,
    ru: str,
    en: str,
    numerator: str,
    denominator: str,
    scale: int = 1,
    places: int = 2,
) -> Performance:
    return Performance(
        code,
        {"bg": bg, "ru": ru, "en": en},
        numerator,
        denominator,
        Decimal(scale),
        places,
    )


INDICATORS: list[Performance] = [
    _p(
        "coverage",
        "Обхватност (% от населението)",
        "Охват населения (%)",
        "Coverage (% of population)",
        "users_total",
        "population_served",
        100,
        1,
    ),
    _p(
        "loans_per_capita",
        "Заемания на жител",
        "Книговыдача на жителя",
        "Loans per capita",
        "loans_total",
        "population_served",
    ),
    _p(
        "visits_per_capita",
        "Посещения на жител",
        "Посещения на жителя",
        "Visits per capita",
        "visits_physical + visits_virtual",
        "population_served",
    ),
    _p(
        "users_per_capita",
        "Потребители на жител",
        "Пользователи на жителя",
        "Registered users per capita",
        "users_total",
        "population_served",
        1,
        3,
    ),
    _p(
        "stock_per_inhabitant",
        "Книгоосигуреност на жител",
        "Книгообеспеченность на жителя",
        "Stock per inhabitant",
        "collection_end",
        "population_served",
    ),
    _p(
        "stock_per_user",
        "Книгоосигуреност на потребител",
        "Книгообеспеченность на пользователя",
        "Stock per user",
        "collection_end",
        "users_total",
    ),
    _p(
        "loans_per_user",
        "Читаемост",
        "Читаемость",
        "Loans per user",
        "loans_total",
        "users_total",
    ),
    _p(
        "visits_per_user",
        "Посещаемост",
        "Посещаемость",
        "Visits per user",
        "visits_physical",
        "users_total",
    ),
    _p(
        "turnover",
        "Обръщаемост на фонда",
        "Обращаемость фонда",
        "Collection turnover",
        "loans_total",
        "collection_end",
    ),
    _p(
        "acquisitions_per_1000",
        "Новопостъпления на 1000 жители",
        "Поступления на 1000 жителей",
        "Acquisitions per 1,000 population",
        "acquired_total",
        "population_served",
        1000,
        1,
    ),
    _p(
        "expenditure_per_loan",
        "Разход за едно заемане (лв.)",
        "Расходы на одну выдачу",
        "Expenditure per loan",
        "expenditure_total",
        "loans_total",
    ),
    _p(
        "expenditure_per_capita",
        "Разход на жител (лв.)",
        "Расходы на жителя",
        "Expenditure per capita",
        "expenditure_total",
        "population_served",
    ),
    _p(
        "staff_per_1000",
        "Персонал на 1000 жители",
        "Персонал на 1000 жителей",
        "Staff (FTE) per 1,000 population",
        "staff_fte",
        "population_served",
        1000,
        3,
    ),
    _p(
        "qualified_share",
        "Дял на персонала с библиотечно образование (%)",
        "Доля персонала с библиотечным образованием (%)",
        "Share of staff with a library qualification (%)",
        "staff_qualified_fte",
        "staff_fte",
        100,
        1,
    ),
    _p(
        "users_per_librarian",
        "Потребители на библиотекар",
        "Пользователей на библиотекаря",
        "Users per librarian (FTE)",
        "users_total",
        "staff_fte",
        1,
        1,
    ),
]
