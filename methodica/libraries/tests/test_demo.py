"""The demo district loader: what it builds; loading it twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Max

from methodica.accounts.models import Membership, User
from methodica.core.permissions import Role, has_perm
from methodica.libraries import demo
from methodica.libraries.models import (
    WEEKDAYS,
    District,
    Library,
    LibraryStatusChange,
    Municipality,
    Settlement,
    StaffMember,
    parse_hours,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def counts():
    return demo.load_demo_district()


def _membership(username: str) -> Membership:
    return Membership.objects.select_related("library__settlement").get(
        user__username=username
    )


def test_loading_builds_the_stara_zagora_district(counts):
    district = District.objects.get(code="SZR")
    assert counts["municipalities"] == 11
    assert set(
        Municipality.objects.filter(district=district).values_list("name", flat=True)
    ) == {
        "Стара Загора",
        "Казанлък",
        "Чирпан",
        "Раднево",
        "Гълъбово",
        "Мъглиж",
        "Павел баня",
        "Гурково",
        "Николаево",
        "Опан",
        "Братя Даскалови",
    }
    assert 180 <= counts["libraries"] <= 230
    assert counts["settlements"] > 150
    assert counts["staff"] > counts["libraries"]
    assert Library.objects.get(
        library_type=Library.Type.REGIONAL, parent=None
    ).name == ("Регионална библиотека „Захарий Княжески“")
    assert Library.objects.filter(parent__isnull=False).count() >= 2
    # The schematic outlines for the map of the consolidation.
    assert not Municipality.objects.filter(
        district=district, boundary__isnull=True
    ).exists()


def test_most_libraries_are_active_and_each_has_its_status_history(counts):
    libraries = Library.objects.all()
    active = libraries.filter(status=Library.Status.ACTIVE).count()
    assert 0.88 <= active / counts["libraries"] <= 0.97
    assert libraries.filter(status=Library.Status.CLOSED).exists()
    for library in libraries.exclude(status=Library.Status.ACTIVE):
        latest = library.status_changes.first()
        assert (latest.status, latest.effective_date) == (
            library.status,
            library.status_since,
        )
    without_history = libraries.exclude(
        pk__in=LibraryStatusChange.objects.values("library_id")
    )
    assert not without_history.exists()


def test_a_good_share_of_chitalishte_staff_lack_library_qualification(counts):
    staff = StaffMember.objects.filter(library__library_type=Library.Type.CHITALISHTE)
    unqualified = staff.filter(has_library_qualification=False).count()
    assert 0.4 <= unqualified / staff.count() <= 0.7
    assert StaffMember.objects.filter(has_library_qualification=True).exists()
    regional = Library.objects.get(library_type=Library.Type.REGIONAL, parent=None)
    assert regional.staff.count() >= 20


def test_there_is_a_demo_user_for_every_role(counts):
    users = User.objects.filter(username__startswith="demo-")
    assert counts["users"] == users.count() == len(demo.DEMO_USERS)
    roles = set(
        Membership.objects.filter(user__in=users).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    for user in users:
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.email.endswith("@example.org")
    admin = users.get(username="demo-admin")
    assert admin.is_staff
    assert not admin.is_superuser
    assert _membership("demo-municipal").municipality.name == "Казанлък"


def test_the_reporters_libraries_exist_in_different_municipalities(counts):
    first = _membership("demo-reporter").library
    second = _membership("demo-reporter-2").library
    assert first.settlement.name == "Богомилово"
    assert first.municipality.name == "Стара Загора"
    assert first.library_type == Library.Type.CHITALISHTE
    assert first.status == second.status == Library.Status.ACTIVE
    assert second.municipality_id != first.municipality_id
    reporter = User.objects.get(username="demo-reporter")
    assert has_perm(reporter, "libraries.library:change", first)
    assert not has_perm(reporter, "libraries.library:view", second)


def test_a_second_load_changes_nothing(counts):
    def state():
        return (
            Library.objects.aggregate(Max("updated_at")),
            LibraryStatusChange.objects.count(),
            Membership.objects.count(),
            list(User.objects.order_by("pk").values_list("pk", "password")),
        )

    before = state()
    assert demo.load_demo_district() == counts
    assert state() == before


def test_every_librarys_opening_hours_parse(counts):
    for library in Library.objects.all():
        assert set(library.opening_hours) <= set(WEEKDAYS), library
        for text in library.opening_hours.values():
            parse_hours(text)  # raises ValueError on a bad entry
        assert library.hours_per_week() > 0, library


def test_every_library_is_in_a_settlement_of_its_municipality(counts):
    assert Library.objects.count() == counts["libraries"]
    assert not Library.objects.exclude(
        settlement__municipality=F("municipality")
    ).exists()


def test_codes_and_contacts_are_visibly_demo(counts):
    assert not Settlement.objects.exclude(ekatte__startswith="9").exists()
    numbered = Library.objects.exclude(register_number="")
    assert numbered.count() > counts["libraries"] * 0.8
    assert not numbered.exclude(register_number__startswith="DR-").exists()
    chitalishta = Library.objects.filter(library_type=Library.Type.CHITALISHTE)
    assert not chitalishta.filter(chitalishte_number="").exists()
    assert not chitalishta.exclude(chitalishte_number__startswith="D-").exists()
    assert not Library.objects.exclude(email__endswith="@example.org").exists()
    assert not StaffMember.objects.exclude(email__endswith="@example.org").exists()
    assert Library.objects.filter(
        email="chitalishte.prosveta.bogomilovo@example.org"
    ).exists()


def test_each_municipality_has_an_office_email_for_visit_reports(counts):
    assert Municipality.objects.exists()
    assert not Municipality.objects.exclude(email__endswith="@example.org").exists()


def test_the_plan_is_the_same_on_every_call():
    assert demo.build_plan() == demo.build_plan()


def test_extensions_run_with_the_district(monkeypatch):
    calls = []
    monkeypatch.setattr(demo, "DEMO_EXTENSIONS", [])
    demo.register_demo_extension(lambda district, stdout: calls.append(district.code))
    demo.load_demo_district()
    assert calls == ["SZR"]


def test_the_command_prints_counts_and_logins(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "libraries:" in text
    for username, _ in demo.demo_logins():
        assert username in text
    assert demo.DEMO_PASSWORD in text


def test_the_command_refuses_a_real_installation_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    assert not District.objects.filter(code="SZR").exists()
