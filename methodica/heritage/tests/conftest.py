"""Local-history fixtures: masters stored in a temporary folder, items at each access level."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from methodica.heritage import services
from methodica.heritage.models import Item, MasterFile, Page


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "gray").save(buffer, "JPEG")
    return buffer.getvalue()


def tiff_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 200).save(buffer, "TIFF")
    return buffer.getvalue()


def pdf_bytes(pages: int = 2, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=300)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def english(settings):
    """The tests read messages in English (msgids); Bulgarian is the default."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def heritage_storage(tmp_path, monkeypatch):
    """Masters go to a folder of this test, through the same storage API."""
    storage = FileSystemStorage(location=tmp_path / "heritage")
    monkeypatch.setattr(MasterFile._meta.get_field("file"), "storage", storage)
    for name in ("image", "thumbnail"):  # the pages' derivatives, beside them
        monkeypatch.setattr(Page._meta.get_field(name), "storage", storage)
    return storage


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


def make_item(actor, district, identifier, **values):
    values = {"kind": Item.Kind.PHOTOGRAPH, "title": identifier, **values}
    values.setdefault("published", True)
    return services.create_item(
        actor=actor, district=district, identifier=identifier, values=values
    )


@pytest.fixture
def public_item(cataloguer, district):
    return make_item(cataloguer, district, "photo-1", title="Площадът, 1930")


@pytest.fixture
def reading_room_item(cataloguer, district):
    return make_item(cataloguer, district, "rr-1", access=Item.Access.READING_ROOM)


@pytest.fixture
def staff_item(cataloguer, district):
    return make_item(
        cataloguer,
        district,
        "manuscript-1",
        kind=Item.Kind.MANUSCRIPT,
        title="Непубликуван ръкопис",
        access=Item.Access.STAFF_ONLY,
    )


@pytest.fixture
def embargoed_item(cataloguer, district):
    return make_item(
        cataloguer,
        district,
        "embargoed-1",
        embargo_until=datetime.date.today() + datetime.timedelta(days=30),
    )


@pytest.fixture
def unpublished_item(cataloguer, district):
    return make_item(cataloguer, district, "draft-1", published=False)


def upload(actor, item, data: bytes, name: str):
    return services.add_master_file(
        actor=actor, item=item, stream=io.BytesIO(data), name=name
    )
