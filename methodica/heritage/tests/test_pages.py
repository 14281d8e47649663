"""Page rows from masters: one per image, one per PDF page, in the item's order."""

from __future__ import annotations

import io

import pytest

from methodica.heritage import services
from methodica.heritage.models import Page
from methodica.heritage.pages import make_pages
from methodica.heritage.tests.conftest import make_item, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _add(cataloguer, item, data, name):
    return services.add_master_file(
        actor=cataloguer, item=item, stream=io.BytesIO(data), name=name
    )


@pytest.fixture
def item(cataloguer, district):
    return make_item(cataloguer, district, "book-1", kind="book")


def test_an_image_master_makes_one_page(cataloguer, item):
    master = _add(cataloguer, item, png_bytes(), "p1.png")
    ids = make_pages(master.pk)
    page = Page.objects.get(pk__in=ids)
    assert (page.page_number, page.order, page.master_id) == (1, 1, master.pk)
    assert page.derivatives_status == Page.Status.PENDING


def test_a_pdf_makes_one_page_per_pdf_page_after_the_earlier_masters(cataloguer, item):
    first = _add(cataloguer, item, png_bytes(), "cover.png")
    pdf = _add(cataloguer, item, pdf_bytes(pages=3), "body.pdf")
    make_pages(pdf.pk)
    make_pages(first.pk)
    pages = list(item.pages.order_by("order"))
    assert [(p.master_id, p.page_number, p.order) for p in pages] == [
        (first.pk, 1, 1),
        (pdf.pk, 1, 2),
        (pdf.pk, 2, 3),
        (pdf.pk, 3, 4),
    ]


def test_making_pages_twice_makes_them_once(cataloguer, item):
    master = _add(cataloguer, item, pdf_bytes(pages=2), "a.pdf")
    assert make_pages(master.pk) == make_pages(master.pk)
    assert item.pages.count() == 2


def test_a_replaced_masters_pages_are_replaced(cataloguer, item):
    old = _add(cataloguer, item, pdf_bytes(pages=3), "a.pdf")
    make_pages(old.pk)
    new = services.replace_master_file(
        actor=cataloguer, master=old, stream=io.BytesIO(png_bytes()), name="a.png"
    )
    make_pages(new.pk)
    assert list(item.pages.values_list("master_id", "order")) == [(new.pk, 1)]
    assert make_pages(old.pk) == []  # a late task for the old master does nothing


def test_uploading_a_master_queues_its_pages_after_commit(
    cataloguer, item, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        master = _add(cataloguer, item, png_bytes((50, 40)), "p.png")
    page = Page.objects.get(master=master)
    assert page.derivatives_status == Page.Status.DONE
    assert (page.width, page.height) == (50, 40)
