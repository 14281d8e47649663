"""The fixity audit: a flipped byte in a stored master raises the alarm, loudly."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from methodica.heritage.fixity import run_audit
from methodica.heritage.models import PreservationEvent
from methodica.heritage.tests.conftest import png_bytes, upload


@pytest.fixture
def masters(cataloguer, public_item):
    return [
        upload(cataloguer, public_item, png_bytes(color=c), f"{c}.png")
        for c in ("white", "black")
    ]


def flip_a_byte(storage, name):
    path = storage.path(name)
    with open(path, "r+b") as stored:
        stored.seek(40)
        byte = stored.read(1)
        stored.seek(40)
        stored.write(bytes([byte[0] ^ 0xFF]))


def test_intact_masters_pass(masters):
    report = run_audit()
    assert (report.checked, report.passed, report.failed) == (2, 2, [])
    assert PreservationEvent.objects.filter(type="fixity_passed").count() == 2


def test_a_flipped_byte_raises_the_alarm_and_nothing_is_fixed(
    masters, heritage_storage, district_admin, immediate_tasks, caplog, client_for
):
    district_admin.email = "admin@example.org"
    district_admin.save(update_fields=["email"])
    damaged = masters[0]
    flip_a_byte(heritage_storage, damaged.file.name)
    with open(heritage_storage.path(damaged.file.name), "rb") as stored:
        bytes_before = stored.read()

    with caplog.at_level(logging.ERROR, logger="methodica.heritage.fixity"):
        report = run_audit()

    assert report.failed == [damaged.pk]
    assert "FIXITY FAILURE" in caplog.text and damaged.file.name in caplog.text
    event = PreservationEvent.objects.get(type="fixity_failed")
    assert event.file == damaged and event.outcome == "failure"
    assert event.detail["expected"] == damaged.sha256 != event.detail["actual"]
    (alarm,) = mail.outbox
    assert alarm.to == ["admin@example.org"] and damaged.file.name in alarm.body
    # Never "fixed": neither the bytes nor the recorded checksum changed.
    damaged.refresh_from_db()
    assert damaged.fixity_ok is False and damaged.sha256 == masters[0].sha256
    with open(heritage_storage.path(damaged.file.name), "rb") as stored:
        assert stored.read() == bytes_before
    # And the preservation page and the item list show it.
    page = client_for(district_admin).get("/heritage/preservation/")
    assert "alert-danger" in page.text and damaged.original_name in page.text
    assert "fixity" in client_for(district_admin).get("/heritage/").text


def test_a_missing_master_fails_too(masters, heritage_storage):
    heritage_storage.delete(masters[1].file.name)
    report = run_audit()
    assert report.failed == [masters[1].pk]
    event = PreservationEvent.objects.get(type="fixity_failed")
    assert event.detail["problem"].startswith("cannot read")


def test_the_command_fails_with_status_1_on_a_mismatch(masters, heritage_storage):
    call_command("heritage_fixity")
    flip_a_byte(heritage_storage, masters[1].file.name)
    with pytest.raises(CommandError, match="FIXITY FAILURE"):
        call_command("heritage_fixity")


def test_the_task_runs_the_audit(masters, immediate_tasks):
    from methodica.heritage.tasks import audit_fixity

    audit_fixity.enqueue()
    assert PreservationEvent.objects.filter(type="fixity_passed").count() == 2


def test_the_preservation_page_is_for_preservation_staff(
    client_for, reporter, methodologist, cataloguer, masters
):
    assert client_for(reporter).get("/heritage/preservation/").status_code == 403
    assert client_for(methodologist).get("/heritage/preservation/").status_code == 403
    page = client_for(cataloguer).get("/heritage/preservation/")
    assert page.status_code == 200 and "No master file has failed" in page.text


def test_an_empty_selection_audits_nothing(masters):
    from methodica.heritage.models import MasterFile

    report = run_audit(MasterFile.objects.none())
    assert report.checked == 0
    assert not PreservationEvent.objects.filter(type__startswith="fixity").exists()


def test_an_unexpected_error_fails_that_file_and_the_audit_goes_on(
    masters, monkeypatch, district_admin, immediate_tasks, caplog
):
    from methodica.heritage import fixity

    district_admin.email = "admin@example.org"
    district_admin.save(update_fields=["email"])
    real = fixity.stored_sha256

    def broken(master):
        if master.pk == masters[0].pk:
            raise RuntimeError("storage driver bug")
        return real(master)

    monkeypatch.setattr(fixity, "stored_sha256", broken)
    report = run_audit()
    assert (report.checked, report.passed, report.failed) == (2, 1, [masters[0].pk])
    event = PreservationEvent.objects.get(type="fixity_failed")
    assert "storage driver bug" in event.detail["problem"]
    assert "storage driver bug" in caplog.text
    assert len(mail.outbox) == 1


def test_each_district_hears_only_of_its_own_files(
    masters, heritage_storage, district_admin, cataloguer, immediate_tasks
):
    from methodica.core.permissions import Role
    from methodica.heritage.tests.conftest import make_item
    from tests.factories import DistrictFactory, UserFactory, member

    district_admin.email = "admin@example.org"
    district_admin.save(update_fields=["email"])
    elsewhere = DistrictFactory(name="Другаде", code="XYZ")
    member(
        UserFactory(username="a2", email="a2@example.org"),
        Role.DISTRICT_ADMIN,
        elsewhere,
    )
    far_cataloguer = member(UserFactory(username="c2"), Role.CATALOGUER, elsewhere)
    far = make_item(far_cataloguer, elsewhere, "far-1")
    far_master = upload(far_cataloguer, far, png_bytes(color="red"), "far.png")
    flip_a_byte(heritage_storage, masters[0].file.name)
    flip_a_byte(heritage_storage, far_master.file.name)
    run_audit()
    sent = {tuple(m.to): m.body for m in mail.outbox}
    assert set(sent) == {("admin@example.org",), ("a2@example.org",)}
    assert far_master.file.name not in sent[("admin@example.org",)]
    assert masters[0].file.name not in sent[("a2@example.org",)]


def test_without_a_district_admin_the_alarm_goes_to_the_site_admins(
    masters, heritage_storage, immediate_tasks, settings
):
    settings.ADMINS = [("Ops", "ops@example.org")]
    flip_a_byte(heritage_storage, masters[0].file.name)
    run_audit()
    (alarm,) = mail.outbox
    assert alarm.to == ["ops@example.org"]
