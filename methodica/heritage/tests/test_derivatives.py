"""Derivative images of pages: a full-size JPEG and a thumbnail; failures recorded."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from methodica.heritage import services
from methodica.heritage.derivatives import make_derivatives
from methodica.heritage.models import Page, PreservationEvent
from methodica.heritage.pages import make_pages
from methodica.heritage.tests.conftest import make_item, png_bytes
from methodica.heritage.tests.pipeline_helpers import (
    image_pdf,
    rotated_jpeg,
    sixteen_bit_tiff,
    text_png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(cataloguer, district):
    return make_item(cataloguer, district, "doc-1", kind="document")


def _page(cataloguer, item, data, name):
    master = services.add_master_file(
        actor=cataloguer, item=item, stream=io.BytesIO(data), name=name
    )
    return Page.objects.get(pk=make_pages(master.pk)[0])


def _open(field):
    with field.storage.open(field.name, "rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def _digest(path):
    with open(path, "rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


def test_a_png_gets_a_full_size_jpeg_and_a_thumbnail(cataloguer, item):
    page = _page(cataloguer, item, png_bytes((900, 600)), "p.png")
    assert make_derivatives(page.pk) == Page.Status.DONE
    page.refresh_from_db()
    assert (page.width, page.height) == (900, 600)
    image, thumbnail = _open(page.image), _open(page.thumbnail)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (900, 600))
    assert thumbnail.size == (300, 200)
    assert page.image.name.startswith("derivatives/doc-1/")
    event = item.preservation_events.get(type=PreservationEvent.Type.DERIVATIVE)
    assert event.outcome == PreservationEvent.Outcome.SUCCESS
    assert event.detail["width"] == 900


def test_exif_orientation_is_applied(cataloguer, item):
    page = _page(cataloguer, item, rotated_jpeg((120, 60)), "r.jpg")
    make_derivatives(page.pk)
    page.refresh_from_db()
    assert (page.width, page.height) == (60, 120)


def test_a_16_bit_tiff_is_scaled_not_clipped_to_white(cataloguer, item):
    page = _page(cataloguer, item, sixteen_bit_tiff(), "deep.tif")
    make_derivatives(page.pk)
    page.refresh_from_db()
    image = _open(page.image).convert("L")
    # Clipped at 255 both halves would be white; scaled, the dark half stays dark.
    assert image.getpixel((5, 5)) < 30 and image.getpixel((60, 5)) > 225


def test_a_pdf_page_is_rendered_at_150_dpi(cataloguer, item):
    page = _page(cataloguer, item, image_pdf(text_png(size=(700, 300))), "s.pdf")
    make_derivatives(page.pk)
    page.refresh_from_db()
    assert page.derivatives_status == Page.Status.DONE
    # 700 px × 0.48 pt = 336 pt = 4.67 in; at 150 dpi about 700 px again.
    assert abs(page.width - 700) <= 2 and abs(page.height - 300) <= 2


def test_a_corrupt_master_fails_with_a_message_and_an_event(
    cataloguer, item, heritage_storage
):
    page = _page(cataloguer, item, png_bytes((300, 200)), "p.png")
    path = heritage_storage.path(page.master.file.name)
    with open(path, "r+b") as stored:  # the stored bytes rot after the upload
        stored.seek(20)
        stored.write(b"\x00" * 200)
    before = _digest(path)
    assert make_derivatives(page.pk) == Page.Status.FAILED
    page.refresh_from_db()
    assert page.derivatives_status == Page.Status.FAILED
    assert "could not be read" in page.derivatives_error
    assert not page.image.name and not page.thumbnail.name
    event = item.preservation_events.get(type=PreservationEvent.Type.DERIVATIVE)
    assert event.outcome == PreservationEvent.Outcome.FAILURE
    assert event.detail["error"] == page.derivatives_error
    assert _digest(path) == before  # the master is only read


def test_making_derivatives_again_replaces_the_old_files(
    cataloguer, item, heritage_storage
):
    page = _page(cataloguer, item, png_bytes((90, 60)), "p.png")
    make_derivatives(page.pk)
    page.refresh_from_db()
    first = page.image.name
    make_derivatives(page.pk)
    page.refresh_from_db()
    assert page.image.name != first
    assert not heritage_storage.exists(first)


def test_a_poster_sized_pdf_page_is_rendered_at_a_lower_resolution(tmp_path):
    from reportlab.pdfgen import canvas

    from methodica.heritage.derivatives import MAX_RENDER_PIXELS, PDF_DPI, _dpi_for

    poster = tmp_path / "poster.pdf"
    page = canvas.Canvas(str(poster), pagesize=(200 * 72, 200 * 72))  # 200 × 200 in
    page.drawString(100, 100, "Плакат")
    page.showPage()
    page.save()
    dpi = _dpi_for(poster, 1)
    assert dpi < PDF_DPI
    assert (200 * dpi) ** 2 <= MAX_RENDER_PIXELS
    a4 = tmp_path / "a4.pdf"
    canvas.Canvas(str(a4)).save()
    assert _dpi_for(a4, 1) == PDF_DPI
