"""Pages with derivative images for the IIIF and portal tests, made with Pillow."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from methodica.heritage.models import MasterFile, Page

SCHEMA = Path(__file__).resolve().parents[3] / "tests" / "schemas"
SCHEMA_FILE = SCHEMA / "iiif_presentation_3.json"

WORDS = [
    ["Читалището", 100, 100, 400, 150],
    ["отвори", 420, 100, 600, 150],
    ["библиотеката", 100, 200, 500, 250],
    ["си.", 520, 200, 580, 250],
]


@pytest.fixture(name="page_storage")
def page_storage_fixture(heritage_storage, monkeypatch):
    """Page derivatives go to the test's folder too (the same storage as masters)."""
    for name in ("image", "thumbnail"):
        monkeypatch.setattr(Page._meta.get_field(name), "storage", heritage_storage)
    return heritage_storage


def jpeg(size=(1200, 1600), color="white") -> bytes:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle([0, 0, size[0] // 2, size[1] // 2], fill="red")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def add_pages(item, storage, count=1, size=(1200, 1600), words=None, text=""):
    """``count`` pages of one PDF-like master, all showing the same JPEG."""
    name = storage.save(
        f"derivatives/{item.identifier}/page.jpg", ContentFile(jpeg(size))
    )
    master = MasterFile.objects.create(
        item=item,
        file=f"masters/{item.identifier}/master.pdf",
        original_name="master.pdf",
        mime_type=MasterFile.Mime.PDF,
        size=1,
        sha256="0" * 64,
        order=MasterFile.objects.filter(item=item).count() + 1,
        pages=count,
    )
    return Page.objects.bulk_create(
        Page(
            item=item,
            master=master,
            page_number=n,
            order=n,
            label=str(n),
            width=size[0],
            height=size[1],
            image=name,
            thumbnail=name,
            derivatives_status=Page.Status.DONE,
            words=words if words is not None else WORDS,
            text=text or " ".join(w[0] for w in WORDS),
            text_source=MasterFile.TextSource.OCR,
            ocr_status=Page.Status.DONE,
        )
        for n in range(1, count + 1)
    )


def validate(document) -> None:
    """Raise unless ``document`` is valid IIIF Presentation 3."""
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.validate(document, schema)
