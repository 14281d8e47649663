"""The iCalendar feed, checked byte by byte against RFC 5545's rules."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from methodica.training import ical, services
from methodica.training.models import Session
from methodica.training.tests.factories import CourseFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def lines_of(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    raw = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in raw)
    return raw


def unfolded(body: bytes) -> list[str]:
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def prop(body: bytes, name: str) -> str:
    return next(
        line.split(":", 1)[1]
        for line in unfolded(body)
        if line.split(":", 1)[0].split(";")[0] == name
    )


def test_the_feed_is_public_and_a_calendar(client, upcoming_session):
    response = client.get("/training/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert prop(body, "UID") == f"{upcoming_session.uid}@methodica.local"


def test_every_line_ends_in_crlf_and_no_line_is_longer_than_75_octets(client, district):
    course = CourseFactory(programme__district=district, title="Библиотека " * 20)
    SessionFactory(course=course)
    body = client.get("/training/calendar.ics").content
    assert all(len(line) <= 75 for line in lines_of(body))


def test_a_long_cyrillic_summary_folds_between_whole_characters(district):
    title = "Ж" * 200
    session = SessionFactory(
        course=CourseFactory(programme__district=district, title=title)
    )
    body = ical.calendar([session], host="example.org", url_for=lambda s: "", name="x")
    lines = lines_of(body)
    start = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:"))
    folded = [lines[start]]
    folded += [line for line in lines[start + 1 :] if line.startswith(b" ")][:10]
    for line in folded:
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode
    assert prop(body, "SUMMARY") == title


def test_text_is_escaped(district):
    course = CourseFactory(
        programme__district=district,
        title="Четене, писане; смятане \\ друго",
        description="Първи ред\nвтори ред",
    )
    session = SessionFactory(course=course, place="Зала 1, етаж 2")
    body = ical.calendar([session], host="h", url_for=lambda s: "", name="x")
    assert prop(body, "SUMMARY") == "Четене\\, писане\\; смятане \\\\ друго"
    assert prop(body, "DESCRIPTION") == "Първи ред\\nвтори ред"
    assert prop(body, "LOCATION") == "Зала 1\\, етаж 2"


def test_times_are_in_utc_with_z(course):
    starts = datetime.datetime(
        2030, 3, 5, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    session = SessionFactory(
        course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3)
    )
    body = ical.calendar([session], host="h", url_for=lambda s: "", name="x")
    assert prop(body, "DTSTART") == "20300305T073000Z"
    assert prop(body, "DTEND") == "20300305T103000Z"
    assert prop(body, "DTSTAMP").endswith("Z")


def test_an_all_day_events_end_is_the_next_day(course):
    # 00:30 in Sofia is 22:30 UTC of the day before: the local date must decide.
    starts = timezone.make_aware(datetime.datetime(2030, 12, 31, 0, 30))
    session = SessionFactory(
        course=course,
        all_day=True,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
    )
    body = ical.calendar([session], host="h", url_for=lambda s: "", name="x")
    text = body.decode()
    assert "DTSTART;VALUE=DATE:20301231\r\n" in text
    assert "DTEND;VALUE=DATE:20310101\r\n" in text


def test_the_uid_stays_and_the_sequence_grows_with_each_change(
    client, upcoming_session, methodologist
):
    first = client.get(f"/training/sessions/{upcoming_session.pk}/event.ics").content
    services.update_session(
        actor=methodologist, session=upcoming_session, data={"trainer": "Друг"}
    )
    services.update_session(
        actor=methodologist, session=upcoming_session, data={"capacity": 9}
    )
    second = client.get(f"/training/sessions/{upcoming_session.pk}/event.ics").content
    assert prop(first, "UID") == prop(second, "UID")
    assert (prop(first, "SEQUENCE"), prop(second, "SEQUENCE")) == ("0", "2")


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(
    client, upcoming_session, methodologist
):
    services.cancel_session(actor=methodologist, session=upcoming_session)
    body = client.get("/training/calendar.ics").content
    assert prop(body, "STATUS") == "CANCELLED"
    assert prop(body, "SEQUENCE") == "1"


def test_the_feed_has_the_page_link_and_no_personal_data(
    client, upcoming_session, own_staff, methodologist
):
    services.enrol(session=upcoming_session, staff=own_staff, actor=methodologist)
    body = client.get("/training/calendar.ics").content
    assert (
        prop(body, "URL")
        == f"http://testserver/training/sessions/{upcoming_session.pk}/"
    )
    assert own_staff.full_name.encode() not in body
    assert own_staff.email.encode() not in body


def test_an_unknown_sessions_event_is_404(client):
    assert client.get("/training/sessions/999999/event.ics").status_code == 404


def test_a_session_status_is_confirmed_while_scheduled(upcoming_session):
    assert upcoming_session.status == Session.Status.SCHEDULED
    body = ical.calendar([upcoming_session], host="h", url_for=lambda s: "", name="x")
    assert prop(body, "STATUS") == "CONFIRMED"


def test_an_all_day_event_entered_midnight_to_midnight_lasts_one_day(course):
    starts = timezone.make_aware(datetime.datetime(2030, 3, 5, 0, 0))
    session = SessionFactory(
        course=course,
        all_day=True,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(days=1),
    )
    body = ical.calendar([session], host="h", url_for=lambda s: "", name="x")
    assert prop(body, "DTSTART") == "20300305"
    assert prop(body, "DTEND") == "20300306"


def test_the_uid_is_the_same_whatever_host_the_feed_is_fetched_from(
    client, settings, upcoming_session
):
    settings.ALLOWED_HOSTS = ["one.example.org", "two.example.org"]
    settings.SITE_URL = "https://methodica.example.bg"
    url = f"/training/sessions/{upcoming_session.pk}/event.ics"
    one = client.get(url, HTTP_HOST="one.example.org").content
    two = client.get(url, HTTP_HOST="two.example.org").content
    assert prop(one, "UID") == prop(two, "UID")
    assert prop(one, "UID") == f"{upcoming_session.uid}@methodica.example.bg"
    assert "one.example.org" not in prop(one, "ORGANIZER")


def test_without_a_site_url_the_uid_host_is_a_fixed_name(
    client, settings, upcoming_session
):
    settings.SITE_URL = ""
    body = client.get("/training/calendar.ics").content
    assert prop(body, "UID") == f"{upcoming_session.uid}@methodica.local"


def test_the_public_feed_does_not_publish_the_online_link(client, course):
    SessionFactory(
        course=course, place="", online_url="https://meet.example.org/secret-room"
    )
    body = client.get("/training/calendar.ics").content
    assert b"secret-room" not in body.replace(b"\r\n ", b"")
    assert prop(body, "LOCATION") == "online"
