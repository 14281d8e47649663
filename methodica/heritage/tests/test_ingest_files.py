"""Uploading masters: what is stored, and the hostile files that are refused."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.heritage import services
from methodica.heritage.models import MasterFile, PreservationEvent
from methodica.heritage.tests.conftest import (
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    tiff_bytes,
    upload,
)


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (png_bytes(), "page.png", "image/png"),
        (jpeg_bytes(), "page.JPG", "image/jpeg"),
        (tiff_bytes(), "page.tif", "image/tiff"),
        (pdf_bytes(3), "issue.pdf", "application/pdf"),
    ],
)
def test_a_master_is_stored_unchanged_with_its_checksum(
    cataloguer, public_item, heritage_storage, data, name, mime
):
    master = upload(cataloguer, public_item, data, name)
    assert master.mime_type == mime
    assert master.sha256 == hashlib.sha256(data).hexdigest()
    assert master.size == len(data)
    with heritage_storage.open(master.file.name, "rb") as stored:
        assert stored.read() == data
    event = PreservationEvent.objects.get(file=master)
    assert event.type == "ingest" and event.detail["sha256"] == master.sha256
    assert AuditEntry.objects.filter(action="heritage_file.added").count() == 1


def test_image_dimensions_and_pdf_pages_are_recorded(cataloguer, public_item):
    image = upload(cataloguer, public_item, png_bytes((120, 80)), "a.png")
    pdf = upload(cataloguer, public_item, pdf_bytes(4), "b.pdf")
    assert (image.width, image.height, image.order) == (120, 80, 1)
    assert (pdf.pages, pdf.order) == (4, 2)


def _refused(cataloguer, item, data, name, message):
    with pytest.raises(DomainError) as refused:
        upload(cataloguer, item, data, name)
    assert message in refused.value.message
    # Nothing half-written: no row, no event, no file.
    assert not MasterFile.objects.exists()
    assert not PreservationEvent.objects.filter(type="ingest").exists()


def test_a_png_named_pdf_is_refused(cataloguer, public_item, heritage_storage):
    _refused(
        cataloguer, public_item, png_bytes(), "scan.pdf", "its content is image/png"
    )
    assert not heritage_storage.exists("masters")


def test_a_file_that_is_no_image_or_pdf_is_refused(cataloguer, public_item):
    _refused(
        cataloguer, public_item, b"MZ\x90\x00 not a scan", "scan.tif", "is not a TIFF"
    )


def test_a_truncated_jpeg_is_refused(cataloguer, public_item):
    data = jpeg_bytes((300, 300))
    _refused(
        cataloguer, public_item, data[: len(data) // 2], "cut.jpg", "damaged image"
    )


def test_a_pixel_bomb_is_refused_before_it_is_decoded(
    cataloguer, public_item, settings
):
    settings.METHODICA_HERITAGE_MAX_PIXELS = 10_000
    # 2000 × 2000 is tiny compressed and 4 million pixels decoded.
    _refused(cataloguer, public_item, png_bytes((2000, 2000)), "bomb.png", "pixels")


def test_an_encrypted_pdf_is_refused(cataloguer, public_item):
    _refused(cataloguer, public_item, pdf_bytes(1, password="x"), "s.pdf", "encrypted")


def test_a_broken_pdf_is_refused(cataloguer, public_item):
    _refused(cataloguer, public_item, b"%PDF-1.7\n garbage", "s.pdf", "damaged PDF")


def test_a_pdf_with_too_many_pages_is_refused(cataloguer, public_item, settings):
    settings.METHODICA_HERITAGE_MAX_PDF_PAGES = 5
    _refused(cataloguer, public_item, pdf_bytes(6), "long.pdf", "6 pages")


def test_an_oversized_file_is_refused(cataloguer, public_item, settings):
    settings.METHODICA_HERITAGE_MAX_FILE_BYTES = 2048
    data = png_bytes((400, 400), "white") + b"\0" * 4096
    upload_ = SimpleUploadedFile("big.png", data)
    with pytest.raises(DomainError) as refused:
        services.add_master_file(
            actor=cataloguer, item=public_item, stream=upload_, name="big.png"
        )
    assert "larger than" in refused.value.message
    assert not MasterFile.objects.exists()


def test_replacing_a_master_writes_a_new_file_and_keeps_the_old(
    cataloguer, public_item, heritage_storage
):
    old = upload(cataloguer, public_item, png_bytes(color="white"), "p.png")
    new_data = png_bytes(color="black")
    new = services.replace_master_file(
        actor=cataloguer, master=old, stream=io.BytesIO(new_data), name="p2.png"
    )
    old.refresh_from_db()
    assert old.replaced_by == new and new.order == old.order == 1
    assert new.file.name != old.file.name
    with heritage_storage.open(old.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == old.sha256
    event = PreservationEvent.objects.get(type="replaced")
    assert event.detail["old_sha256"] == old.sha256 and event.file == new
    assert list(public_item.files.filter(replaced_by__isnull=True)) == [new]


def test_two_uploads_of_the_same_bytes_never_overwrite_each_other(
    cataloguer, public_item
):
    first = upload(cataloguer, public_item, png_bytes(), "a.png")
    second = upload(cataloguer, public_item, png_bytes(), "a.png")
    assert first.file.name != second.file.name


def test_a_reporter_cannot_upload(reporter, public_item):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(reporter, public_item, png_bytes(), "a.png")


def test_two_uploads_of_the_same_bytes_are_both_intact(
    cataloguer, public_item, heritage_storage, monkeypatch
):
    # Like S3 by default, this storage overwrites a file of the same name.
    monkeypatch.setattr(heritage_storage, "_allow_overwrite", True)
    data = png_bytes()
    first = upload(cataloguer, public_item, data, "a.png")
    second = upload(cataloguer, public_item, data, "a.png")
    assert first.file.name.rsplit("/", 1)[-1] != second.file.name.rsplit("/", 1)[-1]
    for master in (first, second):
        with heritage_storage.open(master.file.name, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == master.sha256


def test_a_file_damaged_while_it_is_written_is_refused(
    cataloguer, public_item, heritage_storage, monkeypatch
):
    real_save = heritage_storage._save

    def damaging_save(name, content):
        saved = real_save(name, content)
        with open(heritage_storage.path(saved), "r+b") as stored:
            stored.write(b"XX")
        return saved

    monkeypatch.setattr(heritage_storage, "_save", damaging_save)
    _refused(cataloguer, public_item, png_bytes(), "a.png", "not stored intact")


def test_adding_and_replacing_a_master_restamps_the_item(cataloguer, public_item):
    import datetime

    from django.utils import timezone

    from methodica.heritage.models import Item

    old = timezone.now() - datetime.timedelta(days=2)
    Item.objects.filter(pk=public_item.pk).update(harvest_stamp=old)
    master = upload(cataloguer, public_item, png_bytes(), "a.png")
    public_item.refresh_from_db()
    assert public_item.harvest_stamp > old
    Item.objects.filter(pk=public_item.pk).update(harvest_stamp=old)
    services.replace_master_file(
        actor=cataloguer,
        master=master,
        stream=io.BytesIO(png_bytes(color="black")),
        name="b.png",
    )
    public_item.refresh_from_db()
    assert public_item.harvest_stamp > old


@pytest.mark.parametrize("identifier", ["../etc", "a/b", "a:b", "", "a b"])
def test_an_identifier_that_is_no_slug_is_refused(cataloguer, district, identifier):
    from methodica.heritage.models import Item
    from methodica.heritage.tests.conftest import make_item

    with pytest.raises(DomainError) as refused:
        make_item(cataloguer, district, identifier)
    assert refused.value.field == "identifier"
    assert not Item.objects.exists()


@pytest.mark.parametrize("set_spec", ["a:b", "../x", "a.b"])
def test_a_set_name_that_is_no_slug_is_refused(cataloguer, district, set_spec):
    from methodica.heritage.models import Collection

    with pytest.raises(DomainError) as refused:
        services.create_collection(
            actor=cataloguer,
            district=district,
            values={"title": "Ф", "set_spec": set_spec},
        )
    assert refused.value.field == "set_spec"
    assert not Collection.objects.exists()


def _pdf(**page_entries) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import FloatObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=300)
    for key, value in page_entries.items():
        page[NameObject(f"/{key}")] = FloatObject(value)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_page_blown_up_by_user_unit_is_refused(cataloguer, public_item):
    _refused(cataloguer, public_item, _pdf(UserUnit=75000), "huge.pdf", "too large")


def test_a_pdf_stream_that_inflates_too_far_is_refused(
    cataloguer, public_item, settings
):
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    settings.METHODICA_HERITAGE_MAX_PDF_STREAM_BYTES = 100_000
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=300)
    content = DecodedStreamObject()
    content.set_data(b" " * 5_000_000)
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    _refused(cataloguer, public_item, buffer.getvalue(), "bomb.pdf", "inflates past")


def test_a_normal_pdf_with_content_passes_the_stream_cap(cataloguer, public_item):
    master = upload(cataloguer, public_item, _pdf(UserUnit=1), "ok.pdf")
    assert master.pages == 1


def test_a_reportlab_pdf_whose_streams_are_ascii85_then_flate_is_stored(
    cataloguer, public_item
):
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)  # ReportLab's default: ASCII85, then Flate
    page.drawString(100, 700, "Старозагорски новини")
    page.showPage()
    page.save()
    assert b"/ASCII85Decode" in buffer.getvalue()
    master = upload(cataloguer, public_item, buffer.getvalue(), "issue.pdf")
    assert master.pages == 1


def test_an_ascii85_wrapped_stream_that_inflates_too_far_is_refused(
    cataloguer, public_item, settings
):
    import base64
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, NameObject, StreamObject

    settings.METHODICA_HERITAGE_MAX_PDF_STREAM_BYTES = 100_000
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=300)
    content = StreamObject()
    content._data = base64.a85encode(zlib.compress(b" " * 5_000_000), adobe=True)
    content[NameObject("/Filter")] = ArrayObject(
        [NameObject("/ASCII85Decode"), NameObject("/FlateDecode")]
    )
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    _refused(cataloguer, public_item, buffer.getvalue(), "bomb85.pdf", "inflates past")


def _tiff_frames(*sizes) -> bytes:
    from PIL import Image

    frames = [Image.new("L", size, 100) for size in sizes]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def test_a_multi_page_tiff_with_a_huge_later_frame_is_refused(
    cataloguer, public_item, settings
):
    settings.METHODICA_HERITAGE_MAX_PIXELS = 10_000
    data = _tiff_frames((40, 30), (2000, 2000))
    _refused(cataloguer, public_item, data, "pages.tif", "2000 × 2000")


def test_a_multi_page_tiff_within_the_cap_is_stored(cataloguer, public_item):
    master = upload(cataloguer, public_item, _tiff_frames((40, 30), (50, 60)), "p.tif")
    assert master.mime_type == "image/tiff"
