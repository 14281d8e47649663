"""A sensible subset of EDTF (Extended Date/Time Format, ISO 8601-2) for item dates.

Accepted: ``1878``, ``1878-05``, ``1878-05-12``; a year, month or day qualified as
uncertain ``?``, approximate ``~`` or both ``%``; unspecified digits at the end of a
year (``189X``, ``18XX``); and an interval of two of these, ``1878/1885`` or
``1878-05/1878-06``, either end of which may be open (``..``) or unknown (empty).

:func:`parse` gives the first and last day the value may mean, so that items can
be sorted and faceted by period with two indexed date columns.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_SINGLE = re.compile(
    r"^(?P<year>\d{4}|\d{3}X|\d{2}XX)"
    r"(?:-(?P<month>\d{2}))?"
    r"(?:-(?P<day>\d{2}))?"
    r"(?P<qualifier>[?~%])?$"
)


class EDTFError(ValueError):
    """The text is not a date this module understands; ``str()`` is for the user."""


@dataclass(frozen=True)
class EDTFDate:
    """A parsed value: the text as given and the span of days it covers."""

    text: str
    start: datetime.date | None
    end: datetime.date | None
    uncertain: bool = False
    approximate: bool = False


def _single(text: str) -> EDTFDate:
    match = _SINGLE.match(text)
    if match is None:
        raise EDTFError(
            _("“%(value)s” is not a date such as 1878, 1878-05-12, 1878?, 189X.")
            % {"value": text}
        )
    year_text, month, day = match["year"], match["month"], match["day"]
    qualifier = match["qualifier"] or ""
    if "X" in year_text and (month or day):
        raise EDTFError(
            _("A year with unknown digits (“%(value)s”) cannot have a month or day.")
            % {"value": text}
        )
    first_year = int(year_text.replace("X", "0"))
    last_year = int(year_text.replace("X", "9"))
    if first_year == 0:
        raise EDTFError(_("The year 0 is not a date."))
    if month is None:
        start = datetime.date(first_year, 1, 1)
        end = datetime.date(last_year, 12, 31)
    else:
        month_number = int(month)
        if not 1 <= month_number <= 12:
            raise EDTFError(_("“%(value)s” has no such month.") % {"value": text})
        last_day = calendar.monthrange(first_year, month_number)[1]
        if day is None:
            start = datetime.date(first_year, month_number, 1)
            end = datetime.date(first_year, month_number, last_day)
        else:
            if not 1 <= int(day) <= last_day:
                raise EDTFError(_("“%(value)s” has no such day.") % {"value": text})
            start = end = datetime.date(first_year, month_number, int(day))
    return EDTFDate(
        text=text,
        start=start,
        end=end,
        uncertain=qualifier in "?%" and bool(qualifier),
        approximate=qualifier in "~%" and bool(qualifier),
    )


def parse(text: str) -> EDTFDate:
    """Parse ``text``; raise :class:`EDTFError` with a translated message if invalid."""
    text = (text or "").strip()
    if not text:
        raise EDTFError(_("Enter a date."))
    if "/" not in text:
        return _single(text)
    if text.count("/") > 1:
        raise EDTFError(_("An interval has one “/”, as in 1878/1885."))
    left, right = text.split("/")
    if left in ("", "..") and right in ("", ".."):
        raise EDTFError(_("An interval needs at least one known end."))
    first = None if left in ("", "..") else _single(left)
    last = None if right in ("", "..") else _single(right)
    if first and last and first.start and last.end and first.start > last.end:
        raise EDTFError(
            _("The interval “%(value)s” ends before it begins.") % {"value": text}
        )
    return EDTFDate(
        text=text,
        start=first.start if first else None,
        end=last.end if last else None,
        uncertain=bool((first and first.uncertain) or (last and last.uncertain)),
        approximate=bool((first and first.approximate) or (last and last.approximate)),
    )


def bounds(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """``(date_start, date_end)`` for a valid value, ``(None, None)`` for a blank one."""
    if not (text or "").strip():
        return None, None
    value = parse(text)
    return value.start, value.end
