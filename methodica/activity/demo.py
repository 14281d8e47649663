"""The demo's calendar: which year the demo district's help and training fill.

The demo must look like a year's work whatever day it is loaded on. Its *busy year*
is the current calendar year from 1 July (half a year or more has passed), else the
previous one; before July the current year only gets a light sprinkling of
consultations up to yesterday. Nothing in the demo is dated after today, except
what is planned: visits and the sessions ahead.
"""

from __future__ import annotations

import datetime


def busy_year(today: datetime.date) -> int:
    """The calendar year the demo fills with a full year of help and training."""
    return today.year if today >= datetime.date(today.year, 7, 1) else today.year - 1


def busy_window(
    today: datetime.date, *, first: tuple[int, int] = (1, 1), margin: int = 1
) -> tuple[datetime.date, datetime.date]:
    """The days of the busy year on which past work can be dated: from ``first``
    (month, day) to the year's end or ``margin`` days before today, if earlier.
    From 1 July the window is always at least four months long."""
    year = busy_year(today)
    start = datetime.date(year, *first)
    end = min(datetime.date(year, 12, 31), today - datetime.timedelta(days=margin))
    return start, end
