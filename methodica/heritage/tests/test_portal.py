"""The public portal: browsing, the item page with its viewer, and the PDF download."""

import io

import pytest
from pypdf import PdfReader

from methodica.heritage.models import Item
from methodica.heritage.tests.conftest import make_item
from methodica.heritage.tests.iiif_helpers import (
    add_pages,
    page_storage_fixture,  # noqa: F401
)
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("page_storage")
NOC = "http://rightsstatements.org/vocab/NoC-NC/1.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"


@pytest.fixture
def free_item(cataloguer, district, page_storage):
    item = make_item(
        cataloguer,
        district,
        "news-1",
        kind=Item.Kind.NEWSPAPER_ISSUE,
        title="Търновска конституция, бр. 1",
        date="1880",
        languages=["bul"],
        rights=NOC,
    )
    add_pages(item, page_storage, count=3)
    return item


def test_anyone_browses_the_collection_without_signing_in(
    client, free_item, staff_item, embargoed_item
):
    with count_queries() as queries:
        response = client.get("/heritage/browse/")
    assert response.status_code == 200
    assert free_item.title in response.text
    assert staff_item.title not in response.text
    assert embargoed_item.title not in response.text
    assert "/iiif/image/" in response.text and 'loading="lazy"' in response.text
    assert len(queries) <= 8


def test_the_browse_page_costs_the_same_queries_for_more_items(
    client,
    cataloguer,
    district,
    free_item,
    page_storage,
):
    with count_queries() as few:
        client.get("/heritage/browse/")
    for n in range(5):
        add_pages(make_item(cataloguer, district, f"more-{n}"), page_storage)
    with count_queries() as many:
        client.get("/heritage/browse/")
    assert len(many) == len(few)


def test_the_public_item_page_shows_the_viewer_text_citation_and_links(
    client, free_item
):
    response = client.get(f"/heritage/view/{free_item.pk}/")
    text = response.text
    assert response.status_code == 200
    assert "vendor/openseadragon/openseadragon.min.js" in text
    assert "/iiif/image/" in text and "info.json" in text
    assert "Читалището отвори библиотеката си." in text
    assert f"http://testserver/iiif/{free_item.pk}/manifest.json" in text
    assert "IIIF manifest" in text
    assert f"http://testserver/heritage/view/{free_item.pk}/" in text
    assert f"/heritage/view/{free_item.pk}/download.pdf" in text
    assert text.count('loading="lazy"') == 3


def test_a_query_opens_the_page_asked_for_with_its_hits(client, free_item):
    response = client.get(
        f"/heritage/view/{free_item.pk}/", {"page": 2, "q": "библиотеката"}
    )
    viewer = response.context["viewer"]
    assert response.context["number"] == 2
    assert viewer["initialPage"] == 1
    assert viewer["hits"] == [{"x": 100, "y": 200, "w": 400, "h": 50, "width": 1200}]


def test_a_nonsense_page_number_opens_the_first_page(client, free_item):
    response = client.get(f"/heritage/view/{free_item.pk}/", {"page": "x"})
    assert response.context["number"] == 1


def test_hundreds_of_pages_get_paginated_thumbnails(
    client,
    public_item,
    page_storage,
):
    add_pages(public_item, page_storage, count=300, words=[])
    with count_queries() as queries:
        response = client.get(f"/heritage/view/{public_item.pk}/", {"page": 100})
    assert len(queries) <= 12
    assert response.text.count('loading="lazy"') == 48
    assert response.context["thumbs"].number == 3
    assert len(response.context["viewer"]["tileSources"]) == 300


def test_the_permanent_link_by_identifier_redirects_to_the_item(client, free_item):
    response = client.get("/heritage/id/news-1/")
    assert response.status_code == 302
    assert response["Location"] == f"/heritage/view/{free_item.pk}/"


@pytest.mark.parametrize(
    "fixture", ["staff_item", "embargoed_item", "unpublished_item", "reading_room_item"]
)
def test_restricted_items_are_a_404_on_every_public_page(client, request, fixture):
    item = request.getfixturevalue(fixture)
    for url in (
        f"/heritage/view/{item.pk}/",
        f"/heritage/view/{item.pk}/download.pdf",
        f"/heritage/id/{item.identifier}/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_reading_room_item_opens_in_the_reading_room(
    client, settings, reading_room_item
):
    settings.METHODICA_READING_ROOM_NETWORKS = ["192.0.2.0/24"]
    url = f"/heritage/view/{reading_room_item.pk}/"
    assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 200
    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 404


def test_the_pdf_has_every_page_and_the_ocr_words_as_text(client, free_item):
    response = client.get(f"/heritage/view/{free_item.pk}/download.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    response.close()
    assert len(reader.pages) == 3
    text = reader.pages[0].extract_text()
    for word in ("Читалището", "библиотеката"):
        assert word in text


def test_the_pdf_is_refused_when_the_rights_forbid_it(
    client,
    cataloguer,
    district,
    page_storage,
):
    item = make_item(cataloguer, district, "inc-1", rights=INC)
    add_pages(item, page_storage)
    assert client.get(f"/heritage/view/{item.pk}/download.pdf").status_code == 404
    assert "download.pdf" not in client.get(f"/heritage/view/{item.pk}/").text


def test_staff_may_always_download_the_pdf(
    client_for,
    methodologist,
    cataloguer,
    district,
    page_storage,
):
    item = make_item(cataloguer, district, "inc-2", rights=INC)
    add_pages(item, page_storage)
    response = client_for(methodologist).get(f"/heritage/view/{item.pk}/download.pdf")
    response.close()
    assert response.status_code == 200


def test_the_staff_item_page_links_the_viewer_and_the_manifest(
    client_for, cataloguer, free_item
):
    text = client_for(cataloguer).get(f"/heritage/items/{free_item.pk}/").text
    assert f'href="/heritage/view/{free_item.pk}/"' in text
    assert f'href="/iiif/{free_item.pk}/manifest.json"' in text
