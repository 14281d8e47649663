"""Checking one report: the types of its cells, the built-in checks and the form's rules.

Pure computation: values in, findings out. Hard findings block submission; soft
ones need a justification.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from methodica.reporting.expressions import UNKNOWN, Expression, ExpressionError, parse
from methodica.reporting.models import Indicator, Mark, Rule

HARD, SOFT = "hard", "soft"
# A year-over-year change is not worth a warning below this many units.
MIN_CHANGE = Decimal(10)


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    indicators: tuple[str, ...] = ()
    detail: str = ""


def parse_cell(
    indicator: Indicator, raw: str, mark: str
) -> tuple[Decimal | None, str, str]:
    """A cell as typed into the form or a spreadsheet: (number, text, mark)."""
    raw = (raw or "").strip()
    if mark not in Mark.values:
        raise CellError(_("Unknown mark."))
    if mark and mark != Mark.ESTIMATED:
        return None, "", mark
    if indicator.value_type in (Indicator.ValueType.TEXT, Indicator.ValueType.CHOICE):
        if (
            indicator.value_type == Indicator.ValueType.CHOICE
            and raw
            and raw not in indicator.choices
        ):
            raise CellError(_("Choose one of the listed answers."))
        return None, raw[:1000], mark
    if indicator.value_type == Indicator.ValueType.BOOLEAN:
        if raw == "":
            return None, "", mark
        if raw.lower() in ("1", "yes", "да", "true", "on"):
            return Decimal(1), "", mark
        if raw.lower() in ("0", "no", "не", "нет", "false", "off"):
            return Decimal(0), "", mark
        raise CellError(_("Answer yes or no."))
    if raw == "":
        if mark == Mark.ESTIMATED:
            raise CellError(_("An estimate needs a number."))
        return None, "", mark
    text = raw.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_('"%(value)s" is not a number.') % {"value": raw}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise CellError(_('"%(value)s" is not a number.') % {"value": raw})
    if (
        indicator.value_type == Indicator.ValueType.INTEGER
        and number != number.to_integral()
    ):
        raise CellError(_("A whole number is expected."))
    if number != number.quantize(Decimal("0.01")):
        raise CellError(_("At most two decimal places."))
    return number, "", mark


@functools.lru_cache(maxsize=512)
def _compiled(expression: str, known: frozenset[str]) -> Expression | None:
    try:
        return parse(expression, known=set(known), expect="boolean")
    except ExpressionError:
        return None  # a broken rule is refused when saved; never fail a report on it


def _number_text(value: Any) -> str:
    if value is UNKNOWN or value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def check_rules(
    rules: Iterable[Rule],
    known: frozenset[str],
    values: Mapping[str, Any],
    previous: Mapping[str, Any],
) -> list[Finding]:
    findings = []
    for rule in rules:
        expression = _compiled(rule.expression, known)
        if expression is None or not rule.active:
            continue
        result = expression.evaluate(values, previous)
        if result is UNKNOWN or result is True:
            continue
        sides = expression.sides(values, previous)
        detail = f"{_number_text(sides[0])} / {_number_text(sides[1])}" if sides else ""
        findings.append(
            Finding(
                rule.code,
                rule.severity,
                rule.message,
                tuple(sorted(expression.codes())),
                detail,
            )
        )
    return findings


def year_change(value: Any, last: Any) -> Decimal | None:
    """The change from last year as a share (0.5 = +50%), when it is worth a look:
    both are numbers, last year's above 0, and the difference at least MIN_CHANGE."""
    if not isinstance(value, Decimal) or not isinstance(last, Decimal) or last <= 0:
        return None
    if abs(value - last) < MIN_CHANGE:
        return None
    return (value - last) / last


def check_cells(
    indicators: Iterable[Indicator],
    values: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    change_threshold: Decimal,
) -> list[Finding]:
    """Required answers, negative numbers, and changes from last year beyond the threshold."""
    findings = []
    for indicator in indicators:
        value = values.get(indicator.code)
        if value is None and indicator.required and not indicator.formula:
            findings.append(
                Finding(
                    f"required:{indicator.code}",
                    HARD,
                    _("This answer is required."),
                    (indicator.code,),
                )
            )
            continue
        if not isinstance(value, Decimal) or not indicator.is_numeric:
            continue
        if value < 0:
            findings.append(
                Finding(
                    f"negative:{indicator.code}",
                    HARD,
                    _("A count cannot be negative."),
                    (indicator.code,),
                )
            )
            continue
        last = previous.get(indicator.code)
        change = year_change(value, last)
        if change is not None and abs(change) > change_threshold:
            findings.append(
                Finding(
                    f"change:{indicator.code}",
                    SOFT,
                    _("Changed by %(percent)s%% from last year.")
                    % {"percent": f"{change * 100:+.0f}"},
                    (indicator.code,),
                    f"{_number_text(last)} → {_number_text(value)}",
                )
            )
    return findings


def check_report(
    indicators: list[Indicator],
    rules: Iterable[Rule],
    values: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    change_threshold: Decimal,
) -> list[Finding]:
    """Every finding for one report, hard ones first."""
    known = frozenset(indicator.code for indicator in indicators)
    findings = check_cells(
        indicators, values, previous, change_threshold=change_threshold
    )
    findings += check_rules(rules, known, values, previous)
    return sorted(findings, key=lambda finding: finding.severity != HARD)
