"""The small, safe language of validation rules and formulas.

Administrators write rules such as ``loans_children <= loans_total`` or
``collection_end = collection_start + acquisitions - withdrawn``. This module
parses them into a tree and evaluates the tree; nothing is ever handed to
Python's ``eval``. What it knows:

* numbers (``1200``, ``0.5``), indicator codes (``loans_total``), parentheses;
* ``+ - * /``, comparisons ``= != < <= > >=``, ``and or not``;
* functions ``abs(x)``, ``min(x, y, ...)``, ``max(x, y, ...)``, ``if(c, a, b)`` and
  ``prev(code)``, last year's value of an indicator.

A value may be missing or carry a mark (not applicable, unknown, library
closed). Anything computed from such a value is *unknown*, and so is a division
by zero; comparisons with an unknown side are unknown, and ``and``/``or`` follow
three-valued logic. A rule whose result is unknown does not apply: it neither
passes nor fails. That is how marks never enter a check or a total.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any, Literal

from django.utils.translation import gettext as _

MAX_LENGTH = 1000
MAX_DEPTH = 40


class _Unknown:
    """The result of a computation over a missing or marked value."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; compare with `is UNKNOWN`")


UNKNOWN = _Unknown()
Result = Decimal | bool | _Unknown
Kind = Literal["number", "boolean"]


class ExpressionError(ValueError):
    """The text is not a valid expression; ``message`` says why, for the user."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# --- tokens ----------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|!=|==|[-+*/()<>=,]))"
)
_KEYWORDS = {"and", "or", "not"}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, op, end
    text: str
    position: int


def _tokenize(source: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None:
            offset = position + len(source[position:]) - len(source[position:].lstrip())
            raise ExpressionError(
                _('Unexpected character "%(char)s" at position %(position)s.')
                % {"char": source[offset], "position": offset + 1},
                offset + 1,
            )
        kind = match.lastgroup or "op"
        start = match.start(kind)
        tokens.append(_Token(kind, match.group(kind), start + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


# --- the tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: Kind


@dataclass(frozen=True)
class Number(Node):
    value: Decimal


@dataclass(frozen=True)
class Name(Node):
    code: str
    previous_year: bool = False


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


_FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "min": (2, None),
    "max": (2, None),
    "if": (3, 3),
    "prev": (1, 1),
}
_COMPARISONS = {"=", "==", "!=", "<", "<=", ">", ">="}


class _Parser:
    """Recursive descent, lowest precedence first: or, and, not, comparison, +-, */, unary."""

    def __init__(self, source: str, known: set[str] | None) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.known = known
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        if self.token.text != text:
            self.fail(_('"%(expected)s" expected') % {"expected": text})
        self.advance()

    def fail(self, what: str) -> None:
        found = self.token.text or _("the end")
        raise ExpressionError(
            _("%(what)s at position %(position)s, found %(found)s.")
            % {"what": what, "position": self.token.position, "found": found},
            self.token.position,
        )

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(_("The expression is nested too deeply."))
        try:
            return parse()
        finally:
            self.depth -= 1

    def parse(self) -> Node:
        node = self.logical_or()
        if self.token.kind != "end":
            self.fail(_("An operator or the end was expected"))
        return node

    def logical_or(self) -> Node:
        node = self.logical_and()
        while self.token.text == "or":
            self.advance()
            node = Binary(
                "boolean", "or", self._boolean(node), self._boolean(self.logical_and())
            )
        return node

    def logical_and(self) -> Node:
        node = self.logical_not()
        while self.token.text == "and":
            self.advance()
            node = Binary(
                "boolean", "and", self._boolean(node), self._boolean(self.logical_not())
            )
        return node

    def logical_not(self) -> Node:
        if self.token.text == "not":
            self.advance()
            return Unary("boolean", "not", self._boolean(self.nested(self.logical_not)))
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        if self.token.text in _COMPARISONS:
            op = (
                "=" if self.advance().text == "==" else self.tokens[self.index - 1].text
            )
            right = self.additive()
            node = Binary("boolean", op, self._number(node), self._number(right))
            if self.token.text in _COMPARISONS:
                self.fail(_("Comparisons cannot be chained; join them with and"))
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.token.text in ("+", "-"):
            op = self.advance().text
            node = Binary(
                "number", op, self._number(node), self._number(self.multiplicative())
            )
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.token.text in ("*", "/"):
            op = self.advance().text
            node = Binary("number", op, self._number(node), self._number(self.unary()))
        return node

    def unary(self) -> Node:
        if self.token.text == "-":
            self.advance()
            return Unary("number", "-", self._number(self.nested(self.unary)))
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Number("number", Decimal(token.text))
        if token.text == "(":
            self.advance()
            node = self.nested(self.logical_or)
            self.expect(")")
            return node
        if token.kind == "name" and token.text not in _KEYWORDS:
            self.advance()
            if self.token.text == "(":
                return self.call(token)
            return self.name(token, previous_year=False)
        self.fail(_("A number, an indicator code or ( was expected"))
        raise AssertionError("unreachable")

    def name(self, token: _Token, *, previous_year: bool) -> Name:
        if self.known is not None and token.text not in self.known:
            raise ExpressionError(
                _('Unknown indicator "%(code)s" at position %(position)s.')
                % {"code": token.text, "position": token.position},
                token.position,
            )
        return Name("number", token.text, previous_year)

    def call(self, token: _Token) -> Node:
        function = token.text.lower()
        if function not in _FUNCTIONS:
            raise ExpressionError(
                _('Unknown function "%(name)s" at position %(position)s.')
                % {"name": token.text, "position": token.position},
                token.position,
            )
        self.expect("(")
        if function == "prev":
            argument = self.token
            if argument.kind != "name" or argument.text in _KEYWORDS:
                self.fail(_("prev() takes an indicator code"))
            self.advance()
            self.expect(")")
            return self.name(argument, previous_year=True)
        args = [self.nested(self.logical_or)]
        while self.token.text == ",":
            self.advance()
            args.append(self.nested(self.logical_or))
        self.expect(")")
        least, most = _FUNCTIONS[function]
        if len(args) < least or (most is not None and len(args) > most):
            raise ExpressionError(
                _("%(name)s() does not take %(count)s arguments.")
                % {"name": function, "count": len(args)},
                token.position,
            )
        if function == "if":
            condition, then, otherwise = args
            if then.kind != otherwise.kind:
                raise ExpressionError(
                    _("Both branches of if() must be of the same kind.")
                )
            return Call(then.kind, "if", (self._boolean(condition), then, otherwise))
        return Call("number", function, tuple(self._number(arg) for arg in args))

    def _number(self, node: Node) -> Node:
        if node.kind != "number":
            self.fail(_("A number was expected, not a condition,"))
        return node

    def _boolean(self, node: Node) -> Node:
        if node.kind != "boolean":
            self.fail(_("A condition was expected, not a number,"))
        return node


# --- evaluation ------------------------------------------------------------------------

Values = Mapping[str, Any]


def _value(raw: Any) -> Decimal | _Unknown:
    """An indicator's value as a number, or UNKNOWN for missing and marked values."""
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else UNKNOWN
    if isinstance(raw, bool) or raw is None:
        return UNKNOWN if raw is None else Decimal(int(raw))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    return UNKNOWN  # a mark, or text


def _arithmetic(op: str, left: Decimal, right: Decimal) -> Decimal | _Unknown:
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        return left / right
    except (DivisionByZero, InvalidOperation):
        return UNKNOWN


_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _evaluate(node: Node, current: Values, previous: Values) -> Result:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return _value((previous if node.previous_year else current).get(node.code))
    if isinstance(node, Unary):
        operand = _evaluate(node.operand, current, previous)
        if operand is UNKNOWN:
            return UNKNOWN
        if node.op == "not":
            return not operand
        assert isinstance(operand, Decimal)  # the parser checked the kinds
        return -operand
    if isinstance(node, Binary):
        return _binary(node, current, previous)
    assert isinstance(node, Call)
    if node.function == "if":
        condition = _evaluate(node.args[0], current, previous)
        if condition is UNKNOWN:
            return UNKNOWN
        return _evaluate(node.args[1] if condition else node.args[2], current, previous)
    args = [_evaluate(arg, current, previous) for arg in node.args]
    numbers = [arg for arg in args if isinstance(arg, Decimal)]
    if len(numbers) != len(args):
        return UNKNOWN
    if node.function == "abs":
        return abs(numbers[0])
    return min(numbers) if node.function == "min" else max(numbers)


def _binary(node: Binary, current: Values, previous: Values) -> Result:
    left = _evaluate(node.left, current, previous)
    if node.op in ("and", "or"):
        # Three-valued logic: false and unknown is false; true or unknown is true.
        decisive = node.op == "or"
        if left is not UNKNOWN and left == decisive:
            return decisive
        right = _evaluate(node.right, current, previous)
        if right is not UNKNOWN and right == decisive:
            return decisive
        return UNKNOWN if UNKNOWN in (left, right) else not decisive
    right = _evaluate(node.right, current, previous)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if node.op in _COMPARE:
        return _COMPARE[node.op](left, right)  # type: ignore[arg-type]
    return _arithmetic(node.op, left, right)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Expression:
    """A parsed rule or formula, ready to evaluate any number of times."""

    source: str
    tree: Node

    @property
    def kind(self) -> Kind:
        return self.tree.kind

    def codes(self) -> set[str]:
        """The indicator codes it reads (this year's and, through prev(), last year's)."""
        found: set[str] = set()
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Name):
                found.add(node.code)
            elif isinstance(node, Unary):
                stack.append(node.operand)
            elif isinstance(node, Binary):
                stack.extend((node.left, node.right))
            elif isinstance(node, Call):
                stack.extend(node.args)
        return found

    def evaluate(self, values: Values, previous: Values | None = None) -> Result:
        """The result for one report's ``values`` (and last year's, for prev())."""
        return _evaluate(self.tree, values, previous or {})

    def sides(
        self, values: Values, previous: Values | None = None
    ) -> tuple[Result, Result] | None:
        """For a comparison, the values of its two sides, to show the reporter why."""
        if isinstance(self.tree, Binary) and self.tree.op in _COMPARE:
            return (
                _evaluate(self.tree.left, values, previous or {}),
                _evaluate(self.tree.right, values, previous or {}),
            )
        return None


def parse(
    source: str, *, known: set[str] | None = None, expect: Kind | None = None
) -> Expression:
    """Parse ``source``; with ``known``, every indicator code must be one of them.

    ``expect="boolean"`` for rules (a condition), ``"number"`` for formulas.
    """
    text = source.strip()
    if not text:
        raise ExpressionError(_("The expression is empty."))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            _("The expression is longer than %(limit)s characters.")
            % {"limit": MAX_LENGTH}
        )
    tree = _Parser(text, known).parse()
    if expect == "boolean" and tree.kind != "boolean":
        raise ExpressionError(
            _("A rule must be a condition, such as loans_children <= loans_total.")
        )
    if expect == "number" and tree.kind != "number":
        raise ExpressionError(
            _("A formula must give a number, such as loans_adults + loans_children.")
        )
    return Expression(text, tree)
