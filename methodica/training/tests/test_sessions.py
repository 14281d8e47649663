"""Sessions: scheduling, changes (and the iCal sequence), cancelling, the page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from methodica.core.models import AuditEntry
from methodica.training import services
from methodica.training.models import Session
from methodica.training.services import TrainingError
from methodica.training.tests.factories import EnrolmentFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _form(**extra):
    starts = timezone.localtime() + datetime.timedelta(days=10)
    data = {
        "starts_at": starts.strftime("%Y-%m-%dT09:00"),
        "ends_at": starts.strftime("%Y-%m-%dT13:00"),
        "place": "Регионална библиотека",
        "trainer": "Иванка Петрова",
        "capacity": "15",
        "hours": "",
    }
    return data | extra


def test_a_new_session_takes_the_courses_hours(client_for, methodologist, course):
    response = client_for(methodologist).post(
        f"/training/courses/{course.pk}/sessions/new/", _form()
    )
    session = Session.objects.get()
    assert response.status_code == 302
    assert session.hours == course.hours
    assert session.sequence == 0
    assert AuditEntry.objects.filter(action="session.created").count() == 1


def test_a_session_ending_before_it_starts_is_refused(
    client_for, methodologist, course
):
    response = client_for(methodologist).post(
        f"/training/courses/{course.pk}/sessions/new/",
        _form(ends_at="2000-01-01T09:00"),
    )
    assert "A session cannot end before it starts." in response.content.decode()
    assert not Session.objects.exists()


def test_a_session_needs_a_place_or_a_link(methodologist, course):
    starts = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(TrainingError, match="place of the session or its online link"):
        services.create_session(
            actor=methodologist,
            course=course,
            data={
                "starts_at": starts,
                "ends_at": starts,
                "trainer": "X",
                "capacity": 5,
            },
        )


def test_every_change_increments_the_sequence(methodologist, upcoming_session):
    services.update_session(
        actor=methodologist, session=upcoming_session, data={"hours": Decimal("6")}
    )
    services.update_session(
        actor=methodologist, session=upcoming_session, data={"place": "Зала 3"}
    )
    upcoming_session.refresh_from_db()
    assert upcoming_session.sequence == 2
    assert AuditEntry.objects.filter(action="session.changed").count() == 2


def test_saving_without_a_change_keeps_the_sequence(methodologist, upcoming_session):
    services.update_session(
        actor=methodologist,
        session=upcoming_session,
        data={"trainer": upcoming_session.trainer},
    )
    upcoming_session.refresh_from_db()
    assert upcoming_session.sequence == 0


def test_cancelling_tells_the_enrolled_by_email(
    methodologist,
    upcoming_session,
    own_staff,
    django_capture_on_commit_callbacks,
    immediate_tasks,
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(
            actor=methodologist, session=upcoming_session, reason="Болест"
        )
    upcoming_session.refresh_from_db()
    assert upcoming_session.status == Session.Status.CANCELLED
    assert upcoming_session.sequence == 1
    assert [m.to for m in mail.outbox] == [[own_staff.email]]
    assert "Болест" in mail.outbox[0].body
    with pytest.raises(TrainingError, match="already cancelled"):
        services.cancel_session(actor=methodologist, session=upcoming_session)


def test_reporter_cannot_change_a_session(client_for, reporter, upcoming_session):
    client = client_for(reporter)
    assert (
        client.get(f"/training/sessions/{upcoming_session.pk}/edit/").status_code == 404
    )
    assert (
        client.post(f"/training/sessions/{upcoming_session.pk}/cancel/").status_code
        == 404
    )


def test_the_session_page_shows_places_left_and_only_the_readers_people(
    client_for, reporter, upcoming_session, own_staff, other_staff
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    EnrolmentFactory(session=upcoming_session, staff=other_staff)
    page = client_for(reporter).get(f"/training/sessions/{upcoming_session.pk}/")
    text = page.content.decode()
    assert "0 of 2" in text
    assert own_staff.full_name in text
    assert other_staff.full_name not in text


def test_a_methodologist_sees_everyone_on_the_session_page(
    client_for, methodologist, upcoming_session, own_staff, other_staff
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    EnrolmentFactory(session=upcoming_session, staff=other_staff, status="waiting")
    text = (
        client_for(methodologist)
        .get(f"/training/sessions/{upcoming_session.pk}/")
        .content.decode()
    )
    assert own_staff.full_name in text
    assert other_staff.full_name in text
    assert "Waiting list" in text


def test_an_outsider_cannot_see_a_session(client_for, outsider, upcoming_session):
    response = client_for(outsider).get(f"/training/sessions/{upcoming_session.pk}/")
    assert response.status_code == 404


def test_a_session_of_another_district_is_404(client_for, reporter, district):
    from methodica.training.tests.factories import CourseFactory
    from tests.factories import DistrictFactory

    elsewhere = SessionFactory(
        course=CourseFactory(
            programme__district=DistrictFactory(code="PLV", name="Пловдив")
        )
    )
    response = client_for(reporter).get(f"/training/sessions/{elsewhere.pk}/")
    assert response.status_code == 404


def test_the_session_page_shows_invitations_only_of_the_readers_library(
    client_for, reporter, methodologist, upcoming_session, own_staff, other_staff
):
    from methodica.training.models import Invitation

    Invitation.objects.create(session=upcoming_session, staff=own_staff)
    Invitation.objects.create(session=upcoming_session, staff=other_staff)
    url = f"/training/sessions/{upcoming_session.pk}/"
    as_reporter = client_for(reporter).get(url).content.decode()
    assert own_staff.full_name in as_reporter
    assert other_staff.full_name not in as_reporter
    as_methodologist = client_for(methodologist).get(url).content.decode()
    assert other_staff.full_name in as_methodologist


def test_a_reporter_is_offered_only_their_own_librarys_staff_to_enrol(
    client_for, reporter, upcoming_session, own_staff, colleague, other_staff
):
    text = (
        client_for(reporter)
        .get(f"/training/sessions/{upcoming_session.pk}/")
        .content.decode()
    )
    assert f'<option value="{own_staff.pk}">' in text
    assert f'<option value="{colleague.pk}">' in text
    assert f'<option value="{other_staff.pk}">' not in text
    # their own record comes first: the default choice
    assert text.index(own_staff.full_name) < text.index(colleague.full_name)


def test_a_session_that_started_cannot_be_cancelled(
    client_for, methodologist, course, own_staff
):
    started = SessionFactory(
        course=course, starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    EnrolmentFactory(session=started, staff=own_staff, attended=True)
    with pytest.raises(TrainingError, match="already started and can no longer be"):
        services.cancel_session(actor=methodologist, session=started)
    started.refresh_from_db()
    assert started.status == Session.Status.SCHEDULED
    assert started.sequence == 0
    assert not AuditEntry.objects.filter(action="session.cancelled").exists()
    page = client_for(methodologist).get(f"/training/sessions/{started.pk}/")
    assert page.status_code == 200
    assert f"/training/sessions/{started.pk}/cancel/" not in page.content.decode()


def test_a_session_to_come_offers_the_cancel_button(
    client_for, methodologist, upcoming_session
):
    page = client_for(methodologist).get(f"/training/sessions/{upcoming_session.pk}/")
    assert f"/training/sessions/{upcoming_session.pk}/cancel/" in page.content.decode()


def test_moving_a_session_resets_reminders_and_tells_everyone(
    methodologist,
    upcoming_session,
    own_staff,
    colleague,
    other_staff,
    django_capture_on_commit_callbacks,
    immediate_tasks,
):
    reminded = EnrolmentFactory(
        session=upcoming_session, staff=own_staff, reminded_at=timezone.now()
    )
    EnrolmentFactory(session=upcoming_session, staff=colleague, status="waiting")
    EnrolmentFactory(session=upcoming_session, staff=other_staff, status="cancelled")
    later = upcoming_session.starts_at + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(
            actor=methodologist,
            session=upcoming_session,
            data={"starts_at": later, "ends_at": later + datetime.timedelta(hours=4)},
        )
    reminded.refresh_from_db()
    assert reminded.reminded_at is None
    changed = [m.to[0] for m in mail.outbox if m.subject.startswith("Changed: ")]
    assert sorted(changed) == sorted([own_staff.email, colleague.email])
    assert other_staff.email not in [m.to[0] for m in mail.outbox]
    entry = AuditEntry.objects.get(action="session.changed")
    assert entry.changes["notified"]["after"] == 2


def test_a_new_trainer_tells_no_one_and_keeps_the_reminders(
    methodologist,
    upcoming_session,
    own_staff,
    django_capture_on_commit_callbacks,
    immediate_tasks,
):
    reminded = EnrolmentFactory(
        session=upcoming_session, staff=own_staff, reminded_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(
            actor=methodologist, session=upcoming_session, data={"trainer": "Друг"}
        )
    reminded.refresh_from_db()
    assert reminded.reminded_at is not None
    assert mail.outbox == []


def _when(page) -> str:
    import re

    text = page.content.decode()
    return re.search(r"When</dt><dd[^>]*>(.*?)</dd>", text, re.S).group(1)


def test_an_all_day_session_just_after_midnight_shows_one_date(
    client_for, methodologist, course
):
    # 00:30 in Sofia is 22:30 UTC of the day before: UTC dates would differ.
    starts = timezone.make_aware(datetime.datetime(2030, 12, 31, 0, 30))
    session = SessionFactory(
        course=course,
        all_day=True,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=18),
    )
    when = _when(client_for(methodologist).get(f"/training/sessions/{session.pk}/"))
    assert "–" not in when
    assert "2030" in when


def test_a_session_over_midnight_shows_its_end_date(client_for, methodologist, course):
    starts = timezone.make_aware(datetime.datetime(2030, 12, 30, 20, 0))
    session = SessionFactory(
        course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=6)
    )
    when = _when(client_for(methodologist).get(f"/training/sessions/{session.pk}/"))
    assert "Dec. 30, 2030" in when
    assert "Dec. 31, 2030" in when
