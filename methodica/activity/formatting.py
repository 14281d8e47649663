"""How the reach's numbers are written: one format for the page, the records and the
report, so that the same figure never reads "6000" in one place and "6 000" in
another.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _


def num(value: int | Decimal | float) -> str:
    """A number as the active language writes it, always grouped: whole numbers
    without decimals, others with up to two (academic hours, means are rounded by
    the caller)."""
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        places = 0
    else:
        places = min(2, -int(exact.normalize().as_tuple().exponent))
    return formats.number_format(exact, decimal_pos=places, force_grouping=True)


def share(value: Decimal | None) -> str:
    """A share of 0..100 as a percentage, or a dash when there was nothing to share
    (an area or municipality with no active library)."""
    if value is None:
        return "—"
    return _("%(share)s%%") % {"share": num(value)}


def plural_count(value: int | Decimal | float) -> int:
    """The count that picks a plural form for ``value``: the number itself when it
    is whole, else 2, whose form is the one fractions take (bg, en: the plural;
    ru: "1,5 часа", the form of 2)."""
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        return int(exact)
    return 2
