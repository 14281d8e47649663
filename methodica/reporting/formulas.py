"""Formula indicators: values computed from the other values of the same report.

A formula is written in the rule language (expressions.py) and must give a number.
It reads this year's values only (no ``prev()``), refers only to numeric or yes/no
indicators of the same form, and formulas may build on each other but never in a
circle. Pure computation: indicators and values in, computed values out. A formula
over a missing or marked value gives no number, exactly as a rule over one does not
apply, so a total never hides a part that was not given.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from methodica.reporting.expressions import (
    Binary,
    Call,
    Expression,
    ExpressionError,
    Name,
    Node,
    Unary,
    parse,
)
from methodica.reporting.models import Indicator

# ReportValue.number holds 14 digits, two of them decimals.
_LIMIT = Decimal("1e12")
_CENT, _ONE = Decimal("0.01"), Decimal(1)
_READABLE = (
    Indicator.ValueType.INTEGER,
    Indicator.ValueType.DECIMAL,
    Indicator.ValueType.BOOLEAN,
)


class FormulaError(ValueError):
    """A formula that cannot be used; ``message`` names the indicator and why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _reads_last_year(node: Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name) and current.previous_year:
            return True
        if isinstance(current, Unary):
            stack.append(current.operand)
        elif isinstance(current, Binary):
            stack.extend((current.left, current.right))
        elif isinstance(current, Call):
            stack.extend(current.args)
    return False


def parse_formula(indicator: Indicator, readable: Mapping[str, str]) -> Expression:
    """``indicator``'s formula, parsed; ``readable`` maps the codes it may read to
    their value types. Raises FormulaError with the reason, for the designer."""
    code = indicator.code
    if not indicator.is_numeric:
        raise FormulaError(
            _("%(code)s: only a number can be computed by a formula.") % {"code": code},
            code,
        )
    try:
        expression = parse(indicator.formula, known=set(readable), expect="number")
    except ExpressionError as exc:
        raise FormulaError(
            _("%(code)s: %(message)s") % {"code": code, "message": exc.message}, code
        ) from None
    if _reads_last_year(expression.tree):
        raise FormulaError(
            _("%(code)s: a formula reads this year's values only, not prev().")
            % {"code": code},
            code,
        )
    if code in expression.codes():
        raise FormulaError(
            _("%(code)s: a formula cannot use its own value.") % {"code": code}, code
        )
    return expression


def ordered_formulas(
    indicators: Iterable[Indicator],
) -> list[tuple[Indicator, Expression]]:
    """Every formula of a form, parsed, each after the formulas it reads.

    Raises FormulaError for a formula that does not parse, reads an unknown or a
    text indicator, or takes part in a circle (a = b + 1, b = a - 1).
    """
    indicators = list(indicators)
    readable = {i.code: i.value_type for i in indicators if i.value_type in _READABLE}
    parsed = {
        i.code: (i, parse_formula(i, readable)) for i in indicators if i.formula.strip()
    }
    ordered: list[tuple[Indicator, Expression]] = []
    state: dict[str, str] = {}  # "visiting" while on the path, "done" once placed

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            circle = [*path[path.index(code) :], code]
            raise FormulaError(
                _("The formulas form a circle: %(circle)s.")
                % {"circle": " → ".join(circle)},
                code,
            )
        state[code] = "visiting"
        indicator, expression = parsed[code]
        for used in sorted(expression.codes()):
            if used in parsed:
                visit(used, [*path, code])
        state[code] = "done"
        ordered.append((indicator, expression))

    for code in parsed:
        visit(code, [])
    return ordered


@functools.lru_cache(maxsize=256)
def _cached_order(
    shape: tuple[tuple[str, str, str], ...],
) -> tuple[tuple[str, str, Expression], ...]:
    indicators = [
        Indicator(code=code, value_type=kind, formula=formula)
        for code, kind, formula in shape
    ]
    return tuple(
        (i.code, i.value_type, expression)
        for i, expression in ordered_formulas(indicators)
    )


def _rounded(result: Any, value_type: str) -> Decimal | None:
    if not isinstance(result, Decimal) or not result.is_finite():
        return None  # unknown: a part is missing or marked, or a division by zero
    if abs(result) >= _LIMIT:
        return None  # beyond what a value holds (and quantize would raise)
    step = _ONE if value_type == Indicator.ValueType.INTEGER else _CENT
    number = result.quantize(step, rounding=ROUND_HALF_UP)
    return number if abs(number) < _LIMIT else None


def compute(
    indicators: Iterable[Indicator], values: Mapping[str, Any]
) -> dict[str, Decimal | None]:
    """The value of every formula indicator for one report's ``values``.

    A formula that cannot be used (the designer refuses those, so only an old or
    hand-edited form has one) computes nothing rather than failing the save.
    """
    indicators = list(indicators)
    if not any(i.formula for i in indicators):
        return {}
    # The form's shape (codes, types, formulas) is the cache key: the same form is
    # parsed and ordered once, however many reports are saved on it.
    shape = tuple(sorted((i.code, i.value_type, i.formula) for i in indicators))
    try:
        order = _cached_order(shape)
    except FormulaError:
        return {}
    known = dict(values)
    computed: dict[str, Decimal | None] = {}
    for code, value_type, expression in order:
        computed[code] = known[code] = _rounded(expression.evaluate(known), value_type)
    return computed
