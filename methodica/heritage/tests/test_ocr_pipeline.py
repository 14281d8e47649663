"""OCR of pages in the worker: real Tesseract on real images, text layers kept."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from methodica.heritage import ocr, services
from methodica.heritage.models import MasterFile, Page
from methodica.heritage.ocr_pipeline import page_text_changed, read_page, rerun_ocr
from methodica.heritage.tests.conftest import make_item
from methodica.heritage.tests.pipeline_helpers import (
    blank_png,
    image_pdf,
    text_pdf,
    text_png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_worker(immediate_tasks, django_capture_on_commit_callbacks):
    """Upload through the service; the worker's tasks run when it commits."""

    def upload(actor, item, data, name):
        with django_capture_on_commit_callbacks(execute=True):
            services.add_master_file(
                actor=actor, item=item, stream=io.BytesIO(data), name=name
            )
        return list(item.pages.order_by("order"))

    return upload


@pytest.fixture
def newspaper(cataloguer, district):
    return make_item(cataloguer, district, "vestnik-1", kind="book", languages=["bul"])


@pytest.fixture
def heard():
    pages = []

    def receiver(sender, page, **kwargs):
        pages.append(page.pk)

    page_text_changed.connect(receiver)
    yield pages
    page_text_changed.disconnect(receiver)


def test_a_bulgarian_page_is_read_with_its_words_and_boxes(
    cataloguer, newspaper, run_worker, heard
):
    [page] = run_worker(cataloguer, newspaper, text_png(), "p1.png")
    assert page.ocr_status == Page.Status.DONE, page.ocr_error
    assert page.text_source == MasterFile.TextSource.OCR
    for word in ("Читалището", "вестници", "книгите"):
        assert word in page.text
    assert page.ocr_languages == "bul"
    assert page.ocr_confidence > 60
    boxes = {word: box for word, *box in page.words}
    x0, y0, x1, y1 = boxes["Читалището"]
    assert 40 <= x0 < x1 <= page.width and 40 <= y0 < y1 <= 160
    revision = page.revisions.get()
    assert (revision.source, revision.text) == (MasterFile.TextSource.OCR, page.text)
    assert heard == [page.pk]


def test_a_pdf_with_a_text_layer_is_not_ocrd(
    cataloguer, newspaper, run_worker, monkeypatch
):
    def never(*args, **kwargs):
        raise AssertionError("Tesseract must not run on a page with a text layer")

    monkeypatch.setattr(ocr, "run_tesseract", never)
    [page] = run_worker(cataloguer, newspaper, text_pdf(), "layer.pdf")
    assert page.ocr_status == Page.Status.SKIPPED
    assert page.text_source == MasterFile.TextSource.EMBEDDED
    assert "старите вестници" in page.text
    assert page.words == []
    assert page.derivatives_status == Page.Status.DONE  # it is still shown


def test_an_image_only_pdf_is_rendered_and_ocrd(cataloguer, newspaper, run_worker):
    [page] = run_worker(cataloguer, newspaper, image_pdf(text_png()), "scan.pdf")
    assert page.derivatives_status == Page.Status.DONE
    assert page.ocr_status == Page.Status.DONE, page.ocr_error
    assert "Читалището" in page.text and page.words


def test_a_blank_page_is_empty_with_a_reason_not_done(
    cataloguer, newspaper, run_worker
):
    [page] = run_worker(cataloguer, newspaper, blank_png(), "blank.png")
    assert page.ocr_status == Page.Status.EMPTY
    assert page.ocr_error == "OCR found no text on this page."


def test_a_photograph_is_not_ocrd_until_a_cataloguer_asks(
    cataloguer, district, run_worker, django_capture_on_commit_callbacks
):
    photo = make_item(cataloguer, district, "photo-9", languages=["bul"])
    [page] = run_worker(cataloguer, photo, text_png(), "photo.png")
    assert page.ocr_status == Page.Status.SKIPPED
    assert "not OCR'd unless asked" in page.ocr_error
    with django_capture_on_commit_callbacks(execute=True):
        assert rerun_ocr(actor=cataloguer, item=photo) == 1
    page.refresh_from_db()
    assert page.ocr_status == Page.Status.DONE and "Читалището" in page.text


def test_a_reporter_cannot_ask_for_ocr_again(reporter, cataloguer, newspaper):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rerun_ocr(actor=reporter, item=newspaper)


def test_rerunning_ocr_is_audited(cataloguer, newspaper, run_worker):
    from methodica.core.models import AuditEntry

    [page] = run_worker(cataloguer, newspaper, blank_png(), "blank.png")
    rerun_ocr(actor=cataloguer, item=newspaper)
    entry = AuditEntry.objects.get(action="heritage_item.ocr_requested")
    assert entry.changes["pages"]["after"] == [page.pk]


def test_a_missing_language_pack_fails_the_page_with_a_message(
    cataloguer, newspaper, run_worker, monkeypatch
):
    monkeypatch.setattr(ocr, "installed_languages", lambda: frozenset({"eng"}))
    [page] = run_worker(cataloguer, newspaper, text_png(), "p.png")
    assert page.ocr_status == Page.Status.FAILED
    assert "language pack is not installed" in page.ocr_error


def test_the_reprocess_command_queues_only_failed_pages(
    cataloguer, newspaper, run_worker, capsys
):
    [good] = run_worker(cataloguer, newspaper, text_png(), "a.png")
    blank = run_worker(cataloguer, newspaper, blank_png(), "b.png")[1]
    call_command("heritage_reprocess", "--item", newspaper.pk, "--failed-only", "--ocr")
    assert "0 masters queued for pages, 1 pages queued (text)" in (
        capsys.readouterr().out
    )
    for page in (good, blank):
        page.before = page.ocr_at
        page.refresh_from_db()
    assert good.ocr_at == good.before
    assert blank.ocr_at > blank.before and blank.ocr_status == Page.Status.EMPTY


def test_a_corrected_page_keeps_its_text_when_ocr_runs_again(
    cataloguer, newspaper, run_worker
):
    from methodica.heritage.ocr_pipeline import correct_page_text

    [page] = run_worker(cataloguer, newspaper, text_png(), "a.png")
    correct_page_text(actor=cataloguer, page=page, text="Поправен текст.")
    read_page(page.pk)
    page.refresh_from_db()
    assert page.text == "Поправен текст."
    assert page.text_source == MasterFile.TextSource.CORRECTED
    assert page.words  # the boxes are the OCR's, renewed
