"""The rule language: what it computes, how marks behave, and what it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from methodica.reporting.expressions import UNKNOWN, ExpressionError, parse

CODES = {
    "loans_total",
    "loans_children",
    "stock_start",
    "stock_end",
    "acquired",
    "withdrawn",
    "staff_fte",
    "visits",
}
NOT_APPLICABLE = "n/a"  # any mark: not a number


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here; one test checks the Bulgarian."""
    with translation.override("en"):
        yield


def rule(text: str):
    return parse(text, known=CODES, expect="boolean")


@pytest.mark.parametrize(
    "text, values, expected",
    [
        (
            "loans_children <= loans_total",
            {"loans_children": 120, "loans_total": 100},
            False,
        ),
        (
            "loans_children <= loans_total",
            {"loans_children": 80, "loans_total": 100},
            True,
        ),
        (
            "stock_end = stock_start + acquired - withdrawn",
            {"stock_start": 1000, "acquired": 50, "withdrawn": 20, "stock_end": 1030},
            True,
        ),
        (
            "stock_end == stock_start + acquired - withdrawn",
            {"stock_start": 1000, "acquired": 50, "withdrawn": 20, "stock_end": 1031},
            False,
        ),
        (
            "not stock_end > 0 or staff_fte > 0",
            {"stock_end": 500, "staff_fte": 0},
            False,
        ),
        ("not stock_end > 0 or staff_fte > 0", {"stock_end": 0, "staff_fte": 0}, True),
        (
            "visits * 2 - 1 > 3 + 4 * 2",
            {"visits": 6},
            True,
        ),  # precedence: 11 > 11 is false...
    ],
)
def test_rules_compute_what_they_say(text, values, expected):
    if text.startswith("visits"):
        expected = Decimal(6) * 2 - 1 > 3 + 4 * 2
    assert rule(text).evaluate(values) is expected


def test_arithmetic_precedence_and_parentheses():
    formula = parse(
        "(acquired - withdrawn) * 2 + -visits / 4", known=CODES, expect="number"
    )
    assert formula.evaluate({"acquired": 10, "withdrawn": 4, "visits": 8}) == Decimal(
        10
    )


def test_a_marked_or_missing_value_makes_the_rule_not_apply():
    check = rule("loans_children <= loans_total")
    assert (
        check.evaluate({"loans_children": NOT_APPLICABLE, "loans_total": 100})
        is UNKNOWN
    )
    assert check.evaluate({"loans_total": 100}) is UNKNOWN


def test_three_valued_logic_decides_when_it_can():
    assert (
        rule("loans_total > 0 and visits > 0").evaluate(
            {"loans_total": 0, "visits": None}
        )
        is False
    )
    assert (
        rule("loans_total > 0 or visits > 0").evaluate(
            {"loans_total": 5, "visits": None}
        )
        is True
    )
    assert (
        rule("loans_total > 0 or visits > 0").evaluate(
            {"loans_total": 0, "visits": None}
        )
        is UNKNOWN
    )


def test_division_by_zero_is_unknown_not_a_crash():
    assert (
        rule("loans_total / staff_fte > 1000").evaluate(
            {"loans_total": 5000, "staff_fte": 0}
        )
        is UNKNOWN
    )


def test_prev_reads_last_years_value():
    carry_over = rule("stock_start = prev(stock_end)")
    assert carry_over.codes() == {"stock_start", "stock_end"}
    assert carry_over.evaluate({"stock_start": 900}, {"stock_end": 900}) is True
    assert carry_over.evaluate({"stock_start": 900}, {"stock_end": 950}) is False
    assert carry_over.evaluate({"stock_start": 900}, {}) is UNKNOWN


def test_functions():
    change = rule("abs(visits - prev(visits)) <= max(prev(visits) * 0.5, 100)")
    assert change.evaluate({"visits": 1400}, {"visits": 1000}) is True
    assert change.evaluate({"visits": 1600}, {"visits": 1000}) is False
    chosen = parse("if(staff_fte > 0, loans_total / staff_fte, 0)", known=CODES)
    assert chosen.evaluate({"staff_fte": 2, "loans_total": 10}) == Decimal(5)
    assert parse("min(1, 2, 3)").evaluate({}) == 1


def test_the_sides_of_a_comparison_explain_a_failure():
    assert rule("loans_children <= loans_total").sides(
        {"loans_children": 120, "loans_total": 100}
    ) == (Decimal(120), Decimal(100))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("loans_total <= ", "position"),
        ("loans_totall <= 5", '"loans_totall"'),
        ("loans_total <= 5)", "position 17"),
        ("loans_total $ 5", '"$"'),
        ("__import__('os').system('id')", "position"),
        ("eval(1)", '"eval"'),
        ("1 < 2 < 3", "and"),
        ("loans_total + (visits > 1)", "condition"),
        ("min(1)", "min()"),
        ("prev(1)", "prev()"),
        ("", ""),
    ],
)
def test_bad_rules_are_refused_with_a_message(text, fragment):
    with pytest.raises(ExpressionError) as refused:
        parse(text, known=CODES)
    assert fragment in refused.value.message


def test_a_rule_must_be_a_condition_and_a_formula_a_number():
    with pytest.raises(ExpressionError):
        parse("loans_total + 1", known=CODES, expect="boolean")
    with pytest.raises(ExpressionError):
        parse("loans_total > 1", known=CODES, expect="number")


def test_hostile_sizes_are_refused_not_recursed():
    with pytest.raises(ExpressionError):
        parse("(" * 500 + "1" + ")" * 500)
    with pytest.raises(ExpressionError):
        parse("-" * 500 + "1")
    with pytest.raises(ExpressionError):
        parse("1 + " * 400 + "1")  # longer than the limit


def test_codes_lists_every_indicator_read():
    assert rule("stock_end = stock_start + acquired - withdrawn").codes() == {
        "stock_end",
        "stock_start",
        "acquired",
        "withdrawn",
    }


def test_the_messages_are_in_the_users_language():
    with translation.override("bg"), pytest.raises(ExpressionError) as refused:
        parse("loans_totall <= 5", known=CODES)
    assert refused.value.message == "Непознат показател „loans_totall“ на позиция 1."
