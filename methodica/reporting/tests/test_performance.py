"""Every performance indicator against a worked example, computed by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from methodica.reporting.performance import INDICATORS

# A municipality's consolidated totals, round numbers to check by hand.
TOTALS = {
    "population_served": Decimal(20000),
    "users_total": Decimal(4000),
    "loans_total": Decimal(90000),
    "visits_physical": Decimal(36000),
    "visits_virtual": Decimal(4000),
    "collection_end": Decimal(150000),
    "acquired_total": Decimal(3000),
    "expenditure_total": Decimal(180000),
    "expenditure_staff": Decimal(120000),
    "expenditure_acquisitions": Decimal(30000),
    "staff_fte": Decimal(8),
    "staff_qualified_fte": Decimal(3),
}

EXPECTED = {
    "coverage": "20.0",  # 4,000 / 20,000 x 100
    "loans_per_capita": "4.50",  # 90,000 / 20,000
    "visits_per_capita": "2.00",  # (36,000 + 4,000) / 20,000
    "users_per_capita": "0.200",
    "stock_per_inhabitant": "7.50",  # 150,000 / 20,000
    "stock_per_user": "37.50",  # 150,000 / 4,000
    "loans_per_user": "22.50",  # 90,000 / 4,000
    "visits_per_user": "9.00",  # 36,000 / 4,000
    "turnover": "0.60",  # 90,000 / 150,000
    "acquisitions_per_1000": "150.0",  # 3,000 / 20,000 x 1,000: the Standard's norm
    "expenditure_per_loan": "2.00",  # 180,000 / 90,000
    "expenditure_per_capita": "9.00",  # 180,000 / 20,000
    "expenditure_per_user": "45.00",  # 180,000 / 4,000
    "expenditure_per_visit": "4.50",  # 180,000 / (36,000 + 4,000)
    "acquisitions_to_staff_expenditure": "0.25",  # 30,000 / 120,000
    "staff_per_1000": "0.400",  # 8 / 20,000 x 1,000
    "qualified_share": "37.5",  # 3 / 8 x 100
    "users_per_librarian": "500.0",  # 4,000 / 8
}


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_each_indicator_matches_its_worked_example(indicator):
    assert str(indicator.compute(TOTALS)) == EXPECTED[indicator.code]


def test_every_indicator_has_a_worked_example():
    assert {i.code for i in INDICATORS} == set(EXPECTED)


def test_a_missing_part_or_a_zero_denominator_gives_no_value():
    coverage = next(i for i in INDICATORS if i.code == "coverage")
    assert coverage.compute({"users_total": Decimal(5)}) is None
    assert (
        coverage.compute({"users_total": Decimal(5), "population_served": Decimal(0)})
        is None
    )


def test_every_indicator_has_a_definition_in_each_language():
    for indicator in INDICATORS:
        assert indicator.definitions is not None
        assert all(indicator.definitions[lang].strip() for lang in ("bg", "ru", "en"))


def test_every_indicator_reads_only_codes_of_the_default_form():
    from methodica.reporting.default_form import SECTIONS

    known = {row[0] for _code, _names, rows in SECTIONS for row in rows}
    for indicator in INDICATORS:
        assert indicator.codes <= known, indicator.code
