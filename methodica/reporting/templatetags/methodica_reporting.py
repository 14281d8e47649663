from __future__ import annotations

from decimal import Decimal

from django import template

from methodica.reporting.consolidation import Consolidation, Total

register = template.Library()


@register.simple_tag
def total(result: Consolidation, municipality_id: int | None, code: str) -> Total:
    return result.total(municipality_id, code)


@register.simple_tag
def previous(result: Consolidation, code: str) -> Decimal | None:
    found = result.previous.get(code)
    return found.value if found else None


@register.simple_tag
def change(result: Consolidation, code: str) -> Decimal | None:
    return result.change(code)
