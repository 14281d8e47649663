"""The training sessions as iCalendar (RFC 5545), written by hand.

What calendar programs trip over, and this module gets right: CRLF line ends;
lines folded at 75 octets, never inside a UTF-8 character (Bulgarian titles are
two octets a letter); text escaped (``\\``, ``;``, ``,``, newlines); times in UTC
with ``Z``; an all-day event's DTEND the day *after* its last day; a UID that
never changes and a SEQUENCE that grows with every change; cancelled sessions
kept, with STATUS:CANCELLED, so that subscribers drop them. No personal data:
only what the public offer says, and not an online session's link either (the feed
is public; the link is for those enrolled), only that it is online.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.training.models import Session

CRLF = "\r\n"
LINE_OCTETS = 75
# The UID domain when METHODICA_SITE_URL is not set.
FALLBACK_HOST = "methodica.local"


def uid_host() -> str:
    """The domain of every UID: the configured site's host, never the request's, so
    that a feed fetched through another address does not duplicate each event."""
    return urlsplit(settings.SITE_URL).hostname or FALLBACK_HOST


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded into pieces of at most 75 octets, continuations starting
    with a space, each break between two whole characters."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [" "], 1  # the space counts towards the next 75
        current.append(char)
        size += width
    pieces.append("".join(current))
    return CRLF.join(pieces)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _dates(session: Session) -> list[str]:
    if session.all_day:
        first = timezone.localtime(session.starts_at).date()
        ends = timezone.localtime(session.ends_at)
        last = ends.date()
        if ends.time() == datetime.time(0) and session.ends_at > session.starts_at:
            # Entered as 00:00 to 00:00 of the next day: that midnight already is
            # the exclusive end, not a day of the event.
            last -= datetime.timedelta(days=1)
        # DTEND is exclusive: a one-day event on the 5th ends on the 6th.
        end = max(last, first) + datetime.timedelta(days=1)
        return [
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
        ]
    return [f"DTSTART:{utc(session.starts_at)}", f"DTEND:{utc(session.ends_at)}"]


def event_lines(
    session: Session, *, host: str, url: str, stamp: datetime.datetime
) -> list[str]:
    """The VEVENT of one session, unfolded."""
    description = session.course.description
    lines = [
        "BEGIN:VEVENT",
        f"UID:{session.uid}@{host}",
        f"DTSTAMP:{utc(stamp)}",
        *_dates(session),
        f"SEQUENCE:{session.sequence}",
        "STATUS:"
        + ("CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED"),
        f"SUMMARY:{escape(session.course.title)}",
        f"LAST-MODIFIED:{utc(session.updated_at)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    location = session.place or (_("online") if session.online_url else "")
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if url:
        lines.append(f"URL:{url}")  # a URI value: not TEXT, not escaped
    lines.append(
        f"ORGANIZER;CN={_param(session.course.programme.district.name)}:"
        f"mailto:noreply@{host}"
    )
    lines.append("END:VEVENT")
    return lines


def _param(value: str) -> str:
    """A parameter value: quoted, its quotes dropped (RFC 5545 allows none)."""
    return '"' + value.replace('"', "") + '"'


def calendar(
    sessions: Iterable[Session],
    *,
    host: str,
    url_for: Callable[[Session], str],
    name: str,
    stamp: datetime.datetime | None = None,
) -> bytes:
    """A VCALENDAR of ``sessions``, as the bytes to serve (UTF-8, CRLF)."""
    stamp = stamp or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Methodica//Training//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for session in sessions:
        lines.extend(event_lines(session, host=host, url=url_for(session), stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines).encode("utf-8")
