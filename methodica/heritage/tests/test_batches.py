"""Batch ingest: the dry run's report, the run, resume and roll back."""

from __future__ import annotations

import csv
import io
import stat
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from methodica.core.audit import AuditEntry
from methodica.core.errors import DomainError
from methodica.heritage import batch_sources, batches
from methodica.heritage.models import (
    Authority,
    Collection,
    IngestBatch,
    IngestRow,
    Item,
    MasterFile,
    PreservationEvent,
)
from methodica.heritage.tests.conftest import (
    jpeg_bytes,
    make_item,
    pdf_bytes,
    png_bytes,
)
from tests.factories import SettlementFactory

HEADER = [
    "identifier",
    "kind",
    "title",
    "date",
    "description",
    "creators",
    "subjects",
    "places",
    "languages",
    "rights",
    "access",
    "collection",
    "files",
]


@pytest.fixture(autouse=True)
def batch_storage(heritage_storage, monkeypatch):
    monkeypatch.setattr(
        IngestBatch._meta.get_field("archive"), "storage", heritage_storage
    )


@pytest.fixture
def vocabulary(district, municipality):
    SettlementFactory(municipality=municipality, name="Стара Загора", ekatte="68850")
    Authority.objects.create(
        kind=Authority.Kind.PERSON, name="Гео Милев", variants=["Георги Милев"]
    )
    return Collection.objects.create(
        district=district, title="Фотоархив", set_spec="photo"
    )


def row(identifier, **cells):
    base = {
        "identifier": identifier,
        "kind": "photograph",
        "title": f"Снимка {identifier}",
        "date": "1930",
        "description": "",
        "creators": "Георги Милев",
        "subjects": "площади",
        "places": "Стара Загора",
        "languages": "bul",
        "rights": "NKC",
        "access": "public",
        "collection": "photo",
        "files": f"scans/{identifier}.jpg",
    }
    return base | cells


def csv_bytes(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(key, "") for key in HEADER])
    return out.getvalue().encode("utf-8")


def zip_bytes(files, rows=None, symlink=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if rows is not None:
            archive.writestr("metadata.csv", csv_bytes(rows))
        for name, data in files.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def clean_zip(count=4):
    rows = [row(f"ph-{n}") for n in range(1, count + 1)]
    files = {f"scans/ph-{n}.jpg": jpeg_bytes() for n in range(1, count + 1)}
    return zip_bytes(files, rows)


def upload(actor, district, data, **kwargs):
    return batches.create_batch(
        actor=actor,
        district=district,
        archive=SimpleUploadedFile("batch.zip", data),
        **kwargs,
    )


def run(actor, batch, **kwargs):
    batch = batches.start_batch(actor=actor, batch=batch, **kwargs)
    batches.process_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def test_clean_batch_is_checked_then_run_into_items_with_masters(
    cataloguer, district, vocabulary
):
    batch = upload(cataloguer, district, clean_zip())
    assert batch.status == IngestBatch.Status.CHECKED
    assert batch.report["clean"] is True
    assert batch.report["counts"] == {"rows": 4, "valid": 4, "invalid": 0}
    assert Item.objects.count() == 0 and MasterFile.objects.count() == 0

    batch = run(cataloguer, batch)

    assert batch.status == IngestBatch.Status.DONE
    assert batch.done_rows == 4
    items = Item.objects.order_by("identifier")
    assert [i.identifier for i in items] == ["ph-1", "ph-2", "ph-3", "ph-4"]
    first = items[0]
    assert first.files.count() == 1
    assert first.collections.get() == vocabulary
    assert first.credits.get().authority.name == "Гео Милев"
    assert first.places.get().name == "Стара Загора"
    assert first.rights == "http://rightsstatements.org/vocab/NKC/1.0/"
    assert first.subjects.get().term == "площади"
    assert set(batch.rows.values_list("status", flat=True)) == {"done"}
    assert PreservationEvent.objects.filter(type="ingest").count() == 4
    assert AuditEntry.objects.filter(action="heritage_item.created").count() == 4
    assert AuditEntry.objects.filter(action="heritage_batch.checked").count() == 1


def test_bulgarian_headers_and_a_csv_beside_the_zip_are_read(
    cataloguer, district, vocabulary
):
    header = [
        "идентификатор",
        "вид",
        "заглавие",
        "дата",
        "описание",
        "автори",
        "теми",
        "места",
        "езици",
        "права",
        "достъп",
        "колекция",
        "файлове",
    ]
    data = zip_bytes({"a.png": png_bytes()})
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            header,
            [
                "ph-bg",
                "photograph",
                "Снимка",
                "1930",
                "",
                "",
                "",
                "68850",
                "",
                "",
                "",
                "",
                "a.png",
            ],
        ]
    )
    batch = upload(
        cataloguer,
        district,
        data,
        csv_upload=SimpleUploadedFile("m.csv", out.getvalue().encode()),
    )
    assert batch.report["clean"], batch.report


HOSTILE = [
    ("kind", {"kind": "statue"}, "Unknown kind “statue”"),
    (
        "identifier",
        {"identifier": "bad id/1", "files": "scans/ph-2.jpg"},
        "may hold only letters",
    ),
    ("title", {"title": "Т" * 501}, "longer than 500 characters"),
    ("date", {"date": "next spring"}, "is not a date such as 1878"),
    ("places", {"places": "Атлантида"}, "Unknown place “Атлантида”"),
    ("collection", {"collection": "nope"}, "Unknown collection “nope”"),
    ("rights", {"rights": "free-for-all"}, "Unknown rights statement"),
    ("creators", {"creators": "Никой"}, "No authority record is named “Никой”"),
    ("files", {"files": "scans/missing.jpg"}, "is not in the batch"),
]


@pytest.mark.parametrize(("column", "cells", "message"), HOSTILE)
def test_a_bad_cell_is_reported_in_its_column_and_nothing_is_created(
    cataloguer, district, vocabulary, column, cells, message
):
    rows = [row("ph-1"), row("ph-2") | cells]
    files = {"scans/ph-1.jpg": jpeg_bytes(), "scans/ph-2.jpg": jpeg_bytes()}
    batch = upload(cataloguer, district, zip_bytes(files, rows))
    assert batch.status == IngestBatch.Status.INVALID
    assert batch.report["counts"] == {"rows": 2, "valid": 1, "invalid": 1}
    errors = batch.report["rows"][1]["errors"]
    assert list(errors) == [column]
    assert message in errors[column] and errors[column]
    assert Item.objects.count() == 0 and MasterFile.objects.count() == 0
    with pytest.raises(DomainError, match="Some rows have errors"):
        batches.start_batch(actor=cataloguer, batch=batch)


def test_duplicate_identifiers_in_the_csv_and_existing_are_reported(
    cataloguer, district, vocabulary
):
    make_item(cataloguer, district, "old-1")
    rows = [row("ph-1"), row("ph-1"), row("old-1")]
    files = {"scans/ph-1.jpg": jpeg_bytes(), "scans/old-1.jpg": jpeg_bytes()}
    batch = upload(cataloguer, district, zip_bytes(files, rows))
    errors = [r["errors"].get("identifier", "") for r in batch.report["rows"]]
    assert errors[0] == ""
    assert "in the CSV twice" in errors[1]
    assert "is taken" in errors[2]
    assert Item.objects.count() == 1


def test_a_file_whose_content_is_not_its_name_or_is_corrupt_is_reported(
    cataloguer, district, vocabulary
):
    rows = [
        row("ph-1", files="scans/ph-1.jpg"),
        row("ph-2", files="scans/ph-2.jpg"),
        row("ph-3", files="scans/ph-3.pdf"),
    ]
    files = {
        "scans/ph-1.jpg": png_bytes(),  # a PNG named .jpg
        "scans/ph-2.jpg": jpeg_bytes()[:40],  # cut short
        "scans/ph-3.pdf": pdf_bytes()[:60],
    }
    batch = upload(cataloguer, district, zip_bytes(files, rows))
    messages = [r["errors"].get("files", "") for r in batch.report["rows"]]
    assert "its content is image/png" in messages[0]
    assert "damaged image" in messages[1]
    assert "damaged PDF" in messages[2]
    assert MasterFile.objects.count() == 0


def test_an_oversized_file_is_reported(cataloguer, district, vocabulary, settings):
    settings.METHODICA_HERITAGE_MAX_FILE_BYTES = 1024
    rows = [row("ph-1")]
    batch = upload(
        cataloguer,
        district,
        zip_bytes({"scans/ph-1.jpg": jpeg_bytes((400, 400)) + b"\0" * 2048}, rows),
    )
    assert (
        "larger than the 1024 bytes allowed"
        in (batch.report["rows"][0]["errors"]["files"])
    )


@pytest.mark.parametrize(
    "name", ["../escape.jpg", "/etc/evil.jpg", "scans\\evil.jpg", "a/../../b.jpg"]
)
def test_a_path_traversal_name_makes_the_batch_invalid_and_nothing_is_read(
    cataloguer, district, vocabulary, name
):
    batch = upload(cataloguer, district, zip_bytes({name: jpeg_bytes()}, [row("x")]))
    assert batch.status == IngestBatch.Status.INVALID
    assert any("unsafe name" in error for error in batch.report["errors"])
    assert batch.report["rows"] == []
    with pytest.raises(DomainError):
        batches.start_batch(actor=cataloguer, batch=batch, skip_invalid=True)
    assert Item.objects.count() == 0


def test_a_symlink_in_the_zip_is_refused(cataloguer, district, vocabulary):
    data = zip_bytes({}, [row("x")], symlink="scans/x.jpg")
    batch = upload(cataloguer, district, data)
    assert any("symbolic link" in error for error in batch.report["errors"])


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(
    cataloguer, district, vocabulary, heritage_storage
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.csv", csv_bytes([row("x")]))
        archive.writestr("scans/x.jpg", b"\0" * (20 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100 * 1024
    with pytest.raises(DomainError, match="zip bomb"):
        upload(cataloguer, district, buffer.getvalue())
    assert IngestBatch.objects.count() == 0
    stored = heritage_storage.listdir(f"batches/{district.pk}")[1]
    assert stored == []  # the refused upload is not kept either


def test_too_many_entries_are_refused(cataloguer, district, vocabulary, monkeypatch):
    monkeypatch.setattr(batch_sources, "MAX_ENTRIES", 3)
    files = {f"f{n}.jpg": b"x" for n in range(5)}
    with pytest.raises(DomainError, match="more than the 3 allowed"):
        upload(cataloguer, district, zip_bytes(files, [row("x")]))


def test_skipping_invalid_rows_runs_only_the_valid_ones(
    cataloguer, district, vocabulary
):
    rows = [row("ph-1"), row("ph-2", kind="statue")]
    files = {"scans/ph-1.jpg": jpeg_bytes(), "scans/ph-2.jpg": jpeg_bytes()}
    batch = upload(cataloguer, district, zip_bytes(files, rows))
    batch = run(cataloguer, batch, skip_invalid=True)
    assert list(Item.objects.values_list("identifier", flat=True)) == ["ph-1"]
    assert batch.rows.get(number=3).status == IngestRow.Status.FAILED


def test_resume_after_a_failure_on_row_3_creates_only_the_missing_rows(
    cataloguer, district, vocabulary, monkeypatch
):
    batch = upload(cataloguer, district, clean_zip(5))
    real = batches._ingest_row

    def failing(batch, row, source, actor):
        if row.identifier == "ph-3":
            raise OSError("disk full")
        return real(batch, row, source, actor)

    monkeypatch.setattr(batches, "_ingest_row", failing)
    batch = run(cataloguer, batch)
    assert batch.status == IngestBatch.Status.FAILED
    assert batch.done_rows == 2
    failed = batch.rows.get(identifier="ph-3")
    assert failed.status == IngestRow.Status.FAILED and "disk full" in failed.message
    assert sorted(Item.objects.values_list("identifier", flat=True)) == [
        "ph-1",
        "ph-2",
    ]
    assert not Item.objects.filter(identifier="ph-3").exists()  # nothing half-written

    monkeypatch.setattr(batches, "_ingest_row", real)
    batch = run(cataloguer, batch)
    assert batch.status == IngestBatch.Status.DONE
    assert batch.done_rows == 5
    assert Item.objects.count() == 5
    assert MasterFile.objects.count() == 5


def test_roll_back_soft_deletes_exactly_the_batchs_items_and_keeps_masters(
    cataloguer, district, vocabulary, heritage_storage
):
    other = make_item(cataloguer, district, "not-in-batch")
    batch = run(cataloguer, upload(cataloguer, district, clean_zip(3)))
    masters = list(MasterFile.objects.values_list("file", flat=True))

    assert batches.roll_back_batch(actor=cataloguer, batch=batch) == 3

    batch.refresh_from_db()
    assert batch.status == IngestBatch.Status.ROLLED_BACK
    deleted = Item.objects.filter(deleted_at__isnull=False)
    assert sorted(deleted.values_list("identifier", flat=True)) == [
        "ph-1",
        "ph-2",
        "ph-3",
    ]
    other.refresh_from_db()
    assert other.deleted_at is None
    assert all(heritage_storage.exists(name) for name in masters)
    assert MasterFile.objects.count() == 3
    assert AuditEntry.objects.filter(action="heritage_item.deleted").count() == 3
    with pytest.raises(DomainError):
        batches.roll_back_batch(actor=cataloguer, batch=batch)


def test_reporter_and_outsider_are_refused_by_the_services(
    reporter, outsider, cataloguer, district, vocabulary
):
    for actor in (reporter, outsider):
        with pytest.raises(PermissionDenied):
            upload(actor, district, clean_zip(1))
    batch = upload(cataloguer, district, clean_zip(1))
    for actor in (reporter, outsider):
        with pytest.raises(PermissionDenied):
            batches.start_batch(actor=actor, batch=batch)
        with pytest.raises(PermissionDenied):
            batches.roll_back_batch(actor=actor, batch=batch)


def test_a_folder_batch_needs_the_import_root_and_stays_inside_it(
    cataloguer, district, vocabulary, settings, tmp_path
):
    settings.METHODICA_HERITAGE_IMPORT_ROOT = None
    with pytest.raises(DomainError, match="not enabled"):
        batches.create_batch(actor=cataloguer, district=district, folder="x")
    base = tmp_path / "imports"
    root = base / district.code  # each district has its own folder
    (root / "b1" / "scans").mkdir(parents=True)
    (root / "b1" / "scans" / "ph-1.jpg").write_bytes(jpeg_bytes())
    (root / "b1" / "metadata.csv").write_bytes(csv_bytes([row("ph-1")]))
    (base / "OTHER" / "secret").mkdir(parents=True)
    settings.METHODICA_HERITAGE_IMPORT_ROOT = str(base)
    with pytest.raises(DomainError, match="not a folder inside"):
        batches.create_batch(actor=cataloguer, district=district, folder="../")
    with pytest.raises(DomainError, match="not a folder inside"):
        batches.create_batch(
            actor=cataloguer, district=district, folder="../OTHER/secret"
        )
    batch = batches.create_batch(actor=cataloguer, district=district, folder="b1")
    assert batch.report["clean"], batch.report
    batch = run(cataloguer, batch)
    assert Item.objects.get().files.count() == 1

    (root / "b1" / "link.jpg").symlink_to("/etc/passwd")
    batch = batches.create_batch(actor=cataloguer, district=district, folder="b1")
    assert any("symbolic link" in error for error in batch.report["errors"])


def test_a_batch_whose_worker_died_can_be_resumed_once_stalled(
    cataloguer, district, vocabulary
):
    import datetime

    from django.utils import timezone

    batch = upload(cataloguer, district, clean_zip(2))
    batches.start_batch(actor=cataloguer, batch=batch)
    with pytest.raises(DomainError, match="cannot be run now"):
        batches.start_batch(actor=cataloguer, batch=batch)
    IngestBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    batch = run(cataloguer, batch)
    assert batch.status == IngestBatch.Status.DONE
    assert Item.objects.count() == 2
    assert AuditEntry.objects.filter(action="heritage_batch.started").count() == 2
