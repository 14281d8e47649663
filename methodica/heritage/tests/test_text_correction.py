"""Correcting a page's OCR text: revisions, history, diff, restore, and who may."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from methodica.core.models import AuditEntry
from methodica.heritage import services
from methodica.heritage.derivatives import make_derivatives
from methodica.heritage.models import Item, MasterFile, Page, TextRevision
from methodica.heritage.pages import make_pages
from methodica.heritage.tests.conftest import make_item, png_bytes
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db
OCR_TEXT = "Читалищсто пази\nстарите вестннци."


def _page(cataloguer, item, name="p.png"):
    master = services.add_master_file(
        actor=cataloguer, item=item, stream=io.BytesIO(png_bytes((200, 100))), name=name
    )
    page = Page.objects.get(pk=make_pages(master.pk)[0])
    make_derivatives(page.pk)
    Page.objects.filter(pk=page.pk).update(
        text=OCR_TEXT, text_source=MasterFile.TextSource.OCR, ocr_status="done"
    )
    TextRevision.objects.create(page=page, text=OCR_TEXT, source="ocr")
    page.refresh_from_db()
    return page


@pytest.fixture
def page(cataloguer, district):
    return _page(cataloguer, make_item(cataloguer, district, "vestnik", kind="book"))


@pytest.fixture
def staff_page(cataloguer, district):
    item = make_item(
        cataloguer, district, "diary", kind="manuscript", access=Item.Access.STAFF_ONLY
    )
    return _page(cataloguer, item)


def _save(client, page, text, note=""):
    url = reverse("heritage:page_text", args=[page.pk])
    return client.post(url, {"text": text, "note": note})


def test_a_cataloguer_corrects_the_text_as_a_new_audited_revision(
    cataloguer, client_for, page
):
    response = _save(client_for(cataloguer), page, "Читалището пази\nстарите вестници.")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.text == "Читалището пази\nстарите вестници."
    assert page.text_source == MasterFile.TextSource.CORRECTED
    latest = page.revisions.first()
    assert (latest.source, latest.author) == ("corrected", cataloguer)
    entry = AuditEntry.objects.get(action="heritage_page.text_corrected")
    assert entry.changes["text"]["before"] == OCR_TEXT


def test_an_unchanged_text_is_refused_with_a_message_and_nothing_saved(
    cataloguer, client_for, page
):
    response = _save(client_for(cataloguer), page, OCR_TEXT)
    assert response.status_code == 200
    assert "The text is unchanged." in response.content.decode()
    assert page.revisions.count() == 1
    assert not AuditEntry.objects.filter(action="heritage_page.text_corrected").exists()


def test_control_characters_are_refused_and_nothing_saved(cataloguer, client_for, page):
    response = _save(client_for(cataloguer), page, "Читалище\x1fто")
    assert response.status_code == 200
    page.refresh_from_db()
    assert page.text == OCR_TEXT and page.revisions.count() == 1


def test_the_history_lists_who_and_when_and_the_diff_shows_the_change(
    cataloguer, client_for, page
):
    client = client_for(cataloguer)
    _save(client, page, "Читалището пази\nстарите вестннци.", note="първи ред")
    response = client.get(reverse("heritage:page_text", args=[page.pk]))
    body = response.content.decode()
    assert "cataloguer" in body and "първи ред" in body and "the worker" in body
    assert "OCR words" in body or "positions from OCR" in body
    older, newer = page.revisions.order_by("created_at", "pk")
    url = reverse("heritage:page_diff", args=[page.pk])
    diff = client.get(url, {"a": older.pk, "b": newer.pk}).content.decode()
    assert "− Читалищсто пази" in diff and "+ Читалището пази" in diff
    assert "старите вестннци." in diff  # the unchanged line is shown as such


def test_restoring_an_old_revision_makes_a_new_one(cataloguer, client_for, page):
    client = client_for(cataloguer)
    _save(client, page, "Грешна поправка.")
    first = page.revisions.order_by("created_at", "pk").first()
    url = reverse("heritage:page_restore", args=[page.pk, first.pk])
    assert client.post(url).status_code == 302
    page.refresh_from_db()
    assert page.text == OCR_TEXT
    assert page.revisions.count() == 3
    assert page.revisions.first().source == "corrected"


@pytest.mark.parametrize("who", ["reporter", "outsider", "methodologist"])
def test_others_cannot_correct_a_page(who, request, client_for, page):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("heritage:page_text", args=[page.pk])).status_code == 404
    assert _save(client, page, "Чужда поправка.").status_code == 404
    page.refresh_from_db()
    assert page.text == OCR_TEXT


def test_a_reporter_cannot_rerun_ocr_or_see_the_status(reporter, client_for, page):
    client = client_for(reporter)
    assert (
        client.post(reverse("heritage:item_rerun_ocr", args=[page.item_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("heritage:item_pages", args=[page.item_id])).status_code
        == 404
    )


def test_a_restricted_items_page_image_is_404_for_the_public(
    client, reporter, client_for, staff_page, page
):
    url = reverse("heritage:page_image", args=[staff_page.pk, "full"])
    assert client.get(url).status_code == 404
    assert client_for(reporter).get(url).status_code == 404
    public = reverse("heritage:page_image", args=[page.pk, "thumbnail"])
    response = client.get(public)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    response.close()


def test_the_cataloguer_opens_a_restricted_items_page_text(
    cataloguer, client_for, staff_page
):
    url = reverse("heritage:page_text", args=[staff_page.pk])
    assert client_for(cataloguer).get(url).status_code == 200


def test_the_status_table_polls_while_pages_are_pending_and_is_pinned(
    cataloguer, client_for, page
):
    client = client_for(cataloguer)
    for number in range(2, 6):
        _page(cataloguer, page.item, f"p{number}.png")
    Page.objects.filter(pk=page.pk).update(ocr_status="pending")
    url = reverse("heritage:item_pages", args=[page.item_id])
    with count_queries() as queries:
        response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'hx-trigger="every 4s"' in body and "<progress" in body
    assert "9 of 10 steps finished" in body
    for number in range(6, 11):
        _page(cataloguer, page.item, f"p{number}.png")
    with count_queries() as more:
        client.get(url, headers={"HX-Request": "true"})
    # Session, user, memberships, item, counts, page count, pages: not per page.
    assert len(queries) == len(more) <= 10, queries.statements
    Page.objects.filter(pk=page.pk).update(ocr_status="empty", ocr_error="Нищо")
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "every 4s" not in body and "Нищо" in body and "Re-run OCR for 1 page" in body


def test_the_rerun_button_queues_the_pages(cataloguer, client_for, page):
    Page.objects.filter(pk=page.pk).update(ocr_status="failed")
    url = reverse("heritage:item_rerun_ocr", args=[page.item_id])
    assert client_for(cataloguer).post(url).status_code == 302
    page.refresh_from_db()
    assert page.ocr_status == Page.Status.PENDING


def test_the_item_page_loads_the_status_table_for_a_cataloguer_only(
    cataloguer, client, client_for, page
):
    url = reverse("heritage:item", args=[page.item_id])
    status = reverse("heritage:item_pages", args=[page.item_id])
    assert f'hx-get="{status}"' not in client.get(url).content.decode()
    body = client_for(cataloguer).get(url).content.decode()
    assert f'hx-get="{status}"' in body
    full = client_for(cataloguer).get(status).content.decode()
    assert "<h1" not in full or "Pages and their processing" in full
    assert "Correct the text" in full and "<title>" in full
