"""OCR of page images with Tesseract: run it, read its hOCR, judge the result.

Pure functions and one subprocess call; no models. The ingest pipeline (a task per
page) calls :func:`run_tesseract`, keeps the hOCR as the page's word coordinates,
stores :func:`page_text` for search and records :func:`is_near_empty`'s verdict as
the page's status, so that an empty result is a visible failure (Islandora's
derivatives "succeeded" with empty text; see ``shared/notes/heritage.md``).

Tesseract runs with ``OMP_THREAD_LIMIT=1``: on the 2-core machine its own
threading made a page 5-13 times slower; parallelism comes from one worker per core.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from lxml import etree

from methodica.core.errors import DomainError

# The item's languages (ISO 639-2/B, as ``heritage.models.LANGUAGES``) to Tesseract's
# traineddata names (mostly 639-2/T). Church Slavonic has no model; Bulgarian's is
# the nearest (the ``bul`` model has no ѣ or ѫ: about 7-8% character errors on
# pre-1945 pages, see ``FINDINGS.md``).
TESSERACT_CODES = {
    "bul": "bul",
    "rus": "rus",
    "eng": "eng",
    "fre": "fra",
    "ger": "deu",
    "gre": "ell",
    "tur": "tur",
    "rum": "ron",
    "srp": "srp",
    "mac": "mkd",
    "lat": "lat",
}
NEAREST_MODEL = {"chu": "bul"}
DEFAULT_LANGUAGE = "bul"

# Below these a page is "near empty": a blank verso is legitimate, but it must be
# looked at by a person, never pass silently as read.
MIN_CHARACTERS = 20
MIN_MEAN_CONFIDENCE = 40.0
# Words covering less than this share of the page are specks read as letters.
MIN_TEXT_AREA = 0.002
# A PDF page with at least this much extractable text already has a text layer.
MIN_TEXT_LAYER_CHARACTERS = 20

LINE_CLASSES = {"ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption"}
BBOX = re.compile(r"\bbbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)")
WCONF = re.compile(r"\bx_wconf\s+(-?\d+(?:\.\d+)?)")


class OcrError(DomainError):
    """Tesseract could not read a page (missing binary or model, timeout, crash)."""


class OcrStatus(models.TextChoices):
    READ = "read", _("Read")
    NEAR_EMPTY = "near_empty", _("Almost no text recognised")
    EMPTY = "empty", _("No text recognised")


@dataclass(frozen=True)
class Word:
    text: str
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels
    line_id: str
    confidence: float | None  # x_wconf, 0-100; None where the hOCR has none


@dataclass(frozen=True)
class OcrResult:
    hocr: str
    words: list[Word]
    languages: tuple[str, ...]


@dataclass(frozen=True)
class OcrCheck:
    # An OcrStatus; typed Any because the stubs read a TextChoices member whose
    # label is lazy as the (value, label) tuple it is declared with.
    status: Any
    reason: str  # translated (lazy); empty when the page was read

    @property
    def failed(self) -> bool:
        return self.status != OcrStatus.READ


@dataclass(frozen=True)
class LanguageChoice:
    languages: tuple[str, ...]  # Tesseract's names, in the item's order
    notes: tuple[str, ...]  # translated (lazy): what was substituted or dropped

    @property
    def argument(self) -> str:
        return "+".join(self.languages)


def tesseract_languages(codes: Iterable[str]) -> LanguageChoice:
    """The Tesseract models for an item's languages, with a note for each guess."""
    chosen: list[str] = []
    notes: list[str] = []
    for code in codes:
        code = code.strip().lower()
        if code in TESSERACT_CODES:
            model = TESSERACT_CODES[code]
        elif code in NEAREST_MODEL:
            model = NEAREST_MODEL[code]
            notes.append(
                _("No OCR model for %(language)s; read with %(model)s instead.")
                % {"language": code, "model": model}
            )
        else:
            notes.append(
                _("No OCR model for %(language)s; it was left out.")
                % {"language": code}
            )
            continue
        if model not in chosen:
            chosen.append(model)
    if not chosen:
        chosen.append(DEFAULT_LANGUAGE)
        notes.append(
            _("The item has no language OCR can read; read as %(model)s.")
            % {"model": DEFAULT_LANGUAGE}
        )
    return LanguageChoice(tuple(chosen), tuple(notes))


def tesseract_binary() -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrError(
            _("Tesseract is not installed on the server (the tesseract command).")
        )
    return binary


@functools.cache
def _installed_languages(binary: str) -> frozenset[str]:
    # Cached per binary: the list only changes when packages are installed.
    completed = subprocess.run(
        [binary, "--list-langs"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=_environment(),
    )
    # Tesseract 4 printed the list on stderr, 5 on stdout; the first line is a header.
    lines = (completed.stdout or completed.stderr).splitlines()[1:]
    return frozenset(line.strip() for line in lines if line.strip())


def installed_languages() -> frozenset[str]:
    return _installed_languages(tesseract_binary())


def _environment() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def run_tesseract(
    image_path: str | Path, languages: Sequence[str], *, timeout: float
) -> OcrResult:
    """Read one page image; raise :class:`OcrError` with a translated reason."""
    binary = tesseract_binary()
    if not languages:
        raise OcrError(_("No OCR language was chosen for the page."))
    missing = [code for code in languages if code not in _installed_languages(binary)]
    if missing:
        raise OcrError(
            _("The OCR language pack is not installed: %(languages)s.")
            % {"languages": ", ".join(missing)}
        )
    command = [binary, str(image_path), "stdout", "-l", "+".join(languages), "hocr"]
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            timeout=timeout,
            check=False,
            env=_environment(),
        )
    except subprocess.TimeoutExpired as error:
        raise OcrError(
            _("OCR took longer than %(seconds)s seconds and was stopped.")
            % {"seconds": timeout}
        ) from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip()[-300:]
        raise OcrError(
            _("Tesseract could not read the page: %(detail)s") % {"detail": detail}
        )
    hocr = completed.stdout.decode("utf-8")
    return OcrResult(hocr=hocr, words=parse_hocr(hocr), languages=tuple(languages))


def _parse(hocr: str) -> etree._Element:
    data = hocr.encode("utf-8")
    # Safe by construction: no DTD, no entity expansion, no network (Tesseract's
    # DOCTYPE names a W3C URL that must never be fetched).
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        return etree.parse(io.BytesIO(data), parser).getroot()
    except etree.XMLSyntaxError:
        # Some versions and post-processors write hOCR as plain, not-well-formed HTML.
        html_parser = etree.HTMLParser(
            no_network=True, remove_comments=True, encoding="utf-8"
        )
        root = etree.parse(io.BytesIO(data), html_parser).getroot()
        if root is None:
            raise OcrError(_("The OCR output could not be read.")) from None
        return root


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def parse_hocr(hocr: str) -> list[Word]:
    """The words of an hOCR page, in reading order, with boxes and line ids."""
    root = _parse(hocr)
    words: list[Word] = []
    lines = 0
    for line in root.iter():
        if not isinstance(line.tag, str) or not _classes(line) & LINE_CLASSES:
            continue
        lines += 1
        line_id = line.get("id") or f"line_{lines}"
        for element in line.iter():
            if not isinstance(element.tag, str) or "ocrx_word" not in _classes(element):
                continue
            word = _word(element, line_id)
            if word is not None:
                words.append(word)
    return words


def _word(element: etree._Element, line_id: str) -> Word | None:
    text = _text(element).strip()
    title = element.get("title") or ""
    box = BBOX.search(title)
    if not text or box is None:
        return None
    confidence = WCONF.search(title)
    return Word(
        text=text,
        bbox=(int(box[1]), int(box[2]), int(box[3]), int(box[4])),
        line_id=line_id,
        confidence=float(confidence[1]) if confidence else None,
    )


def _text(element: etree._Element) -> str:
    # Like itertext(), but an unexpanded entity reference contributes nothing.
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def page_text(words: Iterable[Word]) -> str:
    """The page's plain text: one line per hOCR line, words joined by spaces."""
    lines: list[list[str]] = []
    current: str | None = None
    for word in words:
        if word.line_id != current:
            lines.append([])
            current = word.line_id
        lines[-1].append(word.text)
    return "\n".join(" ".join(line) for line in lines)


def is_near_empty(words: Sequence[Word], image_size: tuple[int, int]) -> OcrCheck:
    """Whether a page's result is a failure to be shown, not a silent success."""
    characters = sum(len(word.text) for word in words)
    if characters == 0:
        return OcrCheck(OcrStatus.EMPTY, _("OCR found no text on this page."))
    if characters < MIN_CHARACTERS:
        return OcrCheck(
            OcrStatus.NEAR_EMPTY,
            _("OCR found only %(count)s characters on this page.")
            % {"count": characters},
        )
    confidences = [word.confidence for word in words if word.confidence is not None]
    if confidences and sum(confidences) / len(confidences) < MIN_MEAN_CONFIDENCE:
        return OcrCheck(
            OcrStatus.NEAR_EMPTY,
            _("OCR is unsure of this page (mean confidence %(confidence)s%%).")
            % {"confidence": round(sum(confidences) / len(confidences))},
        )
    width, height = image_size
    area = sum((w.bbox[2] - w.bbox[0]) * (w.bbox[3] - w.bbox[1]) for w in words)
    if width > 0 and height > 0 and area / (width * height) < MIN_TEXT_AREA:
        return OcrCheck(
            OcrStatus.NEAR_EMPTY,
            _("OCR found text on only a tiny part of this page."),
        )
    return OcrCheck(OcrStatus.READ, "")


def has_text_layer(pdf_bytes: bytes, page_index: int) -> bool:
    """Whether a PDF page already carries enough extractable text not to be OCR'd."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        page = reader.pages[page_index]
        text = page.extract_text() or ""
    except (PdfReadError, IndexError, ValueError) as error:
        raise OcrError(_("The PDF page could not be read.")) from error
    return len("".join(text.split())) >= MIN_TEXT_LAYER_CHARACTERS
