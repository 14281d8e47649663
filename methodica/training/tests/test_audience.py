"""Invitations by target group: the criteria combine; only current staff of active
libraries; sending is idempotent, emailed by the worker, audited once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from methodica.core.models import AuditEntry
from methodica.libraries.models import Library, StaffMember
from methodica.training import audience, services
from methodica.training.models import Enrolment, Invitation
from methodica.training.tests.factories import SessionFactory
from tests.factories import LibraryFactory, SettlementFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def group(district, **criteria):
    return set(
        audience.target_group(
            StaffMember.objects.all(),
            district_id=district.pk,
            criteria=audience.Criteria(**criteria),
        ).values_list("full_name", flat=True)
    )


@pytest.fixture
def register(library, other_library, municipality):
    school = LibraryFactory(
        settlement=SettlementFactory(municipality=municipality),
        library_type=Library.Type.SCHOOL,
    )
    closed = LibraryFactory(
        settlement=SettlementFactory(municipality=municipality),
        status=Library.Status.CLOSED,
    )
    StaffFactory(library=library, full_name="без квалификация")
    StaffFactory(
        library=library, full_name="с квалификация", has_library_qualification=True
    )
    StaffFactory(library=other_library, full_name="в Чирпан")
    StaffFactory(library=school, full_name="в училище")
    StaffFactory(library=closed, full_name="в закрита")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    StaffFactory(library=library, full_name="напуснала", left_on=yesterday)
    StaffFactory(
        library=library,
        full_name="напуска догодина",
        left_on=timezone.localdate() + datetime.timedelta(days=365),
    )


def test_no_criteria_chooses_the_current_staff_of_active_libraries(district, register):
    assert group(district) == {
        "без квалификация",
        "с квалификация",
        "в Чирпан",
        "в училище",
        "напуска догодина",
    }


def test_by_municipality_and_library_type_combined(
    district, register, municipality, other_municipality
):
    assert group(district, municipality_ids=(other_municipality.pk,)) == {"в Чирпан"}
    assert group(
        district,
        municipality_ids=(municipality.pk, other_municipality.pk),
        library_types=(Library.Type.SCHOOL,),
    ) == {"в училище"}


def test_staff_without_a_library_qualification(district, register, municipality):
    assert group(
        district,
        without_qualification=True,
        municipality_ids=(municipality.pk,),
        library_types=(Library.Type.CHITALISHTE,),
    ) == {"без квалификация", "напуска догодина"}


def test_those_who_have_not_yet_attended_a_course(district, register, course):
    past = SessionFactory(
        course=course, starts_at=timezone.now() - datetime.timedelta(days=30)
    )
    attended = StaffMember.objects.get(full_name="в Чирпан")
    absent = StaffMember.objects.get(full_name="в училище")
    Enrolment.objects.create(
        session=past, staff=attended, status="enrolled", attended=True
    )
    Enrolment.objects.create(
        session=past, staff=absent, status="enrolled", attended=False
    )
    chosen = group(district, not_attended_course_id=course.pk)
    assert "в Чирпан" not in chosen
    assert "в училище" in chosen


def test_sending_invites_and_emails_and_skips_those_already_invited(
    upcoming_session,
    methodologist,
    library,
    django_capture_on_commit_callbacks,
    immediate_tasks,
):
    StaffFactory(library=library, full_name="Първа", email="one@example.org")
    StaffFactory(library=library, full_name="Без поща", email="")
    criteria = audience.Criteria(without_qualification=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invite(
            actor=methodologist, session=upcoming_session, criteria=criteria
        )
    assert (result.invited, result.already_invited) == (2, 0)
    assert [m.to for m in mail.outbox] == [["one@example.org"]]
    assert Invitation.objects.get(staff__full_name="Първа").emailed_at is not None
    StaffFactory(library=library, full_name="Нова", email="new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invite(
            actor=methodologist, session=upcoming_session, criteria=criteria
        )
    assert (again.invited, again.already_invited) == (1, 2)
    assert Invitation.objects.count() == 3
    entries = AuditEntry.objects.filter(action="session.invited")
    assert entries.count() == 2
    assert entries.first().changes["criteria"]["after"]["without_qualification"]


def test_the_page_previews_then_sends(
    client_for, methodologist, upcoming_session, library
):
    StaffFactory(library=library, full_name="Поканена")
    client = client_for(methodologist)
    url = f"/training/sessions/{upcoming_session.pk}/invite/"
    preview = client.get(url, {"without_qualification": "on"})
    assert "1 librarian in the target group" in preview.content.decode()
    assert "Поканена" in preview.content.decode()
    assert not Invitation.objects.exists()
    response = client.post(url, {"without_qualification": "on"}, follow=True)
    assert (
        "1 invited; 0 already invited and 0 already enrolled or waiting were skipped."
        in response.content.decode()
    )
    assert Invitation.objects.count() == 1


def test_reporter_cannot_invite(client_for, reporter, upcoming_session):
    url = f"/training/sessions/{upcoming_session.pk}/invite/"
    assert client_for(reporter).get(url).status_code == 404


def test_those_already_enrolled_or_waiting_are_not_invited(
    upcoming_session, methodologist, library
):
    enrolled = StaffFactory(library=library, full_name="Записана")
    waiting = StaffFactory(library=library, full_name="Чакаща")
    cancelled = StaffFactory(library=library, full_name="Отказала се")
    Enrolment.objects.create(
        session=upcoming_session, staff=enrolled, status=Enrolment.Status.ENROLLED
    )
    Enrolment.objects.create(
        session=upcoming_session, staff=waiting, status=Enrolment.Status.WAITING
    )
    Enrolment.objects.create(
        session=upcoming_session, staff=cancelled, status=Enrolment.Status.CANCELLED
    )
    result = services.invite(
        actor=methodologist,
        session=upcoming_session,
        criteria=audience.Criteria(without_qualification=True),
    )
    assert (result.invited, result.already_enrolled) == (1, 2)
    assert list(Invitation.objects.values_list("staff__full_name", flat=True)) == [
        "Отказала се"
    ]
    entry = AuditEntry.objects.get(action="session.invited")
    assert entry.changes["already_enrolled"]["after"] == 2


@pytest.mark.parametrize("change", ["cancelled", "past"])
def test_an_invitation_queued_before_the_session_was_cancelled_or_began_is_not_sent(
    upcoming_session, methodologist, library, change
):
    from methodica.training.models import Session
    from methodica.training.tasks import send_invitation

    staff = StaffFactory(library=library, email="late@example.org")
    invitation = Invitation.objects.create(session=upcoming_session, staff=staff)
    if change == "cancelled":
        Session.objects.filter(pk=upcoming_session.pk).update(status="cancelled")
    else:
        starts = timezone.now() - datetime.timedelta(hours=1)
        Session.objects.filter(pk=upcoming_session.pk).update(
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
        )
    send_invitation.call(invitation_id=invitation.pk, site_url="", language="en")
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.emailed_at is None
