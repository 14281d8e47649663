"""The public item page in a real browser: OpenSeadragon draws the page from the IIIF
image service of this server alone, the hits are overlaid, and axe finds nothing."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage

from methodica.heritage.models import Item, MasterFile, Page
from methodica.heritage.tests.conftest import make_item
from methodica.heritage.tests.iiif_helpers import add_pages
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "heritage")
    monkeypatch.setattr(MasterFile._meta.get_field("file"), "storage", storage)
    for name in ("image", "thumbnail"):
        monkeypatch.setattr(Page._meta.get_field(name), "storage", storage)
    return storage


def test_the_public_item_page_shows_the_deep_zoom_viewer(
    page, storage, cataloguer, district
):
    item = make_item(
        cataloguer,
        district,
        "news-viewer",
        kind=Item.Kind.NEWSPAPER_ISSUE,
        title="Търновска конституция, бр. 1",
        languages=["bul"],
    )
    add_pages(item, storage, count=2)
    response = page.goto(f"/heritage/view/{item.pk}/?page=2&q=библиотеката")
    assert response.status == 200
    page.wait_for_selector("#viewer[data-ready='true']")
    page.wait_for_selector("#viewer canvas")
    page.wait_for_selector("#viewer .hit", state="attached")
    assert page.locator("#viewer .hit").count() == 1
    page.focus("#viewer")
    assert_accessible(page)


def test_the_browse_page_passes_axe(page, storage, cataloguer, district):
    item = make_item(cataloguer, district, "photo-browse", title="Площадът, 1930")
    add_pages(item, storage)
    assert page.goto("/heritage/browse/").status == 200
    assert page.get_by_role("link", name="Площадът, 1930").count() == 1
    assert_accessible(page)
