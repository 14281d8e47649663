"""The reach's number formats in templates: ``{{ value|num }}``, ``{{ value|share }}``
and ``{{ value|plural_count }}`` for ``{% blocktranslate count %}``."""

from __future__ import annotations

from decimal import Decimal

from django import template

from methodica.activity import formatting

register = template.Library()


@register.filter
def num(value: int | Decimal | float) -> str:
    return formatting.num(value)


@register.filter
def share(value: Decimal | None) -> str:
    return formatting.share(value)


@register.filter
def plural_count(value: int | Decimal | float) -> int:
    return formatting.plural_count(value)
