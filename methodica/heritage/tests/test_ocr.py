"""OCR: reading Tesseract's hOCR, judging empty pages, languages, PDF text layers."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image, ImageDraw, ImageFont

from methodica.heritage import ocr
from methodica.heritage.ocr import OcrError, OcrStatus, Word
from methodica.reporting.pdf import font_folder, register_fonts

DATA = Path(__file__).parent / "data"
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="the tesseract binary is not installed"
)


def fixture_words() -> list[Word]:
    return ocr.parse_hocr((DATA / "page.hocr").read_text(encoding="utf-8"))


def word(text: str, *, confidence: float | None = 95, box=(0, 0, 200, 40)) -> Word:
    return Word(text=text, bbox=box, line_id="line_1", confidence=confidence)


def rendered_line(path: Path, text: str) -> Path:
    font = ImageFont.truetype(str(font_folder() / "DejaVuSerif.ttf"), 32)
    image = Image.new("L", (900, 90), 255)
    ImageDraw.Draw(image).text((20, 25), text, font=font, fill=0)
    image.save(path)
    return path


def test_parse_hocr_reads_words_boxes_lines_and_confidence_from_real_tesseract():
    words = fixture_words()

    assert [w.text for w in words[:4]] == ["Читалище", "„Светлина“", "в", "Елена"]
    assert words[0].bbox == (20, 26, 170, 50)
    assert words[0].line_id == "line_1_1"
    assert words[0].confidence == 96.0
    assert len({w.line_id for w in words}) == 3


def test_page_text_rebuilds_one_line_per_hocr_line():
    assert ocr.page_text(fixture_words()) == (
        "Читалище „Светлина“ в Елена\n"
        "открива нова библиотека.\n"
        "Книгите са дарени от града."
    )


def test_parse_hocr_accepts_old_versions_without_confidence_or_line_ids():
    hocr = (
        "<html><body><div class='ocr_page'>"
        "<span class='ocr_header'><span class='ocrx_word' title='bbox 1 2 30 12'>"
        "<strong>Вестник</strong></span></span>"
        "<span class='ocr_line'><span class='ocrx_word' title='bbox 1 20 30 32'>"
        "Търново<br></span></span></div></body></html>"
    )

    words = ocr.parse_hocr(hocr)

    assert [(w.text, w.confidence) for w in words] == [
        ("Вестник", None),
        ("Търново", None),
    ]
    assert words[0].line_id != words[1].line_id


def test_parse_hocr_never_expands_entities_or_reads_local_files():
    hocr = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY secret SYSTEM '
        '"file:///etc/passwd">]><html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<span class='ocr_line' id='l1'><span class='ocrx_word' "
        "title='bbox 0 0 9 9; x_wconf 90'>a&secret;</span></span></body></html>"
    )

    assert [w.text for w in ocr.parse_hocr(hocr)] == ["a"]


def test_a_page_with_no_words_is_an_empty_failure_with_a_reason():
    with translation.override("en"):
        check = ocr.is_near_empty([], (2000, 3000))

    assert check.failed
    assert check.status == OcrStatus.EMPTY
    assert str(check.reason) == "OCR found no text on this page."


def test_a_few_stray_characters_are_a_near_empty_failure():
    with translation.override("en"):
        check = ocr.is_near_empty([word("., '"), word("i")], (2000, 3000))

    assert check.status == OcrStatus.NEAR_EMPTY
    assert "5 characters" in str(check.reason)


def test_low_confidence_text_is_a_near_empty_failure():
    words = [word("Шшшшшшшш", confidence=12), word("Ъъъъъъъъъъъъъъ", confidence=20)]

    assert ocr.is_near_empty(words, (400, 80)).status == OcrStatus.NEAR_EMPTY


def test_text_on_a_tiny_part_of_a_large_scan_is_a_near_empty_failure():
    words = [word("Кирилицата-и-още", box=(0, 0, 40, 8)) for _ in range(3)]

    assert ocr.is_near_empty(words, (5000, 7000)).status == OcrStatus.NEAR_EMPTY


def test_a_real_page_is_read():
    check = ocr.is_near_empty(fixture_words(), (640, 170))

    assert not check.failed
    assert check.status == OcrStatus.READ


def test_languages_map_to_tesseract_models_in_the_items_order():
    choice = ocr.tesseract_languages(["bul", "rus", "bul"])

    assert choice.languages == ("bul", "rus")
    assert choice.argument == "bul+rus"
    assert choice.notes == ()


def test_church_slavonic_is_read_with_the_bulgarian_model_and_a_note():
    with translation.override("en"):
        choice = ocr.tesseract_languages(["chu"])

    assert choice.languages == ("bul",)
    assert [str(n) for n in choice.notes] == [
        "No OCR model for chu; read with bul instead."
    ]


def test_an_item_without_a_readable_language_is_read_as_bulgarian_with_notes():
    choice = ocr.tesseract_languages(["ota"])

    assert choice.languages == ("bul",)
    assert len(choice.notes) == 2


def test_a_missing_tesseract_binary_is_a_clear_domain_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))

    with translation.override("en"), pytest.raises(OcrError) as raised:
        ocr.run_tesseract(tmp_path / "page.png", ["bul"], timeout=10)

    assert "Tesseract is not installed" in raised.value.message


def fake_tesseract(folder: Path, body: str) -> Path:
    """A stand-in ``tesseract`` on PATH: lists bul and rus, then runs ``body``."""
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then\n'
        "  echo 'List of available languages (2):'; echo bul; echo rus; exit 0\n"
        "fi\n" + body
    )
    script.chmod(0o755)
    return script


def test_run_tesseract_limits_threads_and_asks_for_hocr_in_both_languages(
    monkeypatch, tmp_path
):
    fake_tesseract(
        tmp_path,
        f'echo "$OMP_THREAD_LIMIT $*" > "{tmp_path}/called"\n'
        f'{shutil.which("cat")} "{DATA / "page.hocr"}"\n',
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("OMP_THREAD_LIMIT", "8")

    result = ocr.run_tesseract("my page.png", ["bul", "rus"], timeout=10)

    called = (tmp_path / "called").read_text().strip()
    assert called == "1 my page.png stdout -l bul+rus hocr"
    assert result.words == fixture_words()
    assert result.languages == ("bul", "rus")


def test_a_tesseract_crash_is_a_domain_error_with_its_message(monkeypatch, tmp_path):
    fake_tesseract(tmp_path, "echo 'Error in pixReadStream' >&2\nexit 1\n")
    monkeypatch.setenv("PATH", str(tmp_path))

    with translation.override("en"), pytest.raises(OcrError) as raised:
        ocr.run_tesseract(tmp_path / "page.png", ["bul"], timeout=10)

    assert raised.value.message == (
        "Tesseract could not read the page: Error in pixReadStream"
    )


def test_a_page_that_takes_too_long_is_stopped_with_a_domain_error(
    monkeypatch, tmp_path
):
    fake_tesseract(tmp_path, f"exec {shutil.which('sleep')} 5\n")
    monkeypatch.setenv("PATH", str(tmp_path))

    with translation.override("en"), pytest.raises(OcrError) as raised:
        ocr.run_tesseract(tmp_path / "page.png", ["bul"], timeout=0.5)

    assert "longer than 0.5 seconds" in raised.value.message


def reportlab_pdf(*, text: str | None, image: bool) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if image:
        scan = Image.new("L", (300, 400), 230)
        ImageDraw.Draw(scan).rectangle((30, 30, 270, 60), fill=20)
        pdf.drawImage(ImageReader(scan), 50, 300, width=300, height=400)
    if text:
        register_fonts()
        pdf.setFont("DejaVuSans", 12)
        pdf.drawString(50, 200, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_pdf_page_with_text_has_a_text_layer():
    pdf = reportlab_pdf(text="Читалище „Светлина“ открива нова библиотека.", image=True)

    assert ocr.has_text_layer(pdf, 0)


def test_an_image_only_pdf_page_has_no_text_layer():
    assert not ocr.has_text_layer(reportlab_pdf(text=None, image=True), 0)


def test_an_unreadable_pdf_is_a_clear_domain_error():
    with pytest.raises(OcrError):
        ocr.has_text_layer(b"%PDF-1.4 not really", 0)
    with pytest.raises(OcrError):
        ocr.has_text_layer(reportlab_pdf(text=None, image=True), 3)


@needs_tesseract
def test_tesseract_reads_a_rendered_bulgarian_line(tmp_path):
    image = rendered_line(tmp_path / "line.png", "Читалището в Елена пази книгите.")

    result = ocr.run_tesseract(image, ["bul"], timeout=60)

    assert result.languages == ("bul",)
    assert "Читалището в Елена" in ocr.page_text(result.words)
    assert not ocr.is_near_empty(result.words, (900, 90)).failed


@needs_tesseract
def test_tesseract_on_a_blank_page_is_a_visible_failure(tmp_path):
    image = tmp_path / "blank.png"
    Image.new("L", (600, 800), 255).save(image)

    result = ocr.run_tesseract(image, ["bul", "rus"], timeout=60)

    assert ocr.is_near_empty(result.words, (600, 800)).status == OcrStatus.EMPTY


@needs_tesseract
def test_a_missing_language_pack_is_a_clear_domain_error(tmp_path):
    with translation.override("en"), pytest.raises(OcrError) as raised:
        ocr.run_tesseract(tmp_path / "page.png", ["bul", "xyz"], timeout=10)

    assert raised.value.message == "The OCR language pack is not installed: xyz."
