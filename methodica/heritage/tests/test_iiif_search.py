"""IIIF Content Search 2.0: the hits of a query as highlighting annotations."""

import pytest

from methodica.heritage.models import Page
from methodica.heritage.tests.iiif_helpers import (
    add_pages,
    page_storage_fixture,  # noqa: F401
)
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("page_storage")


def test_a_search_returns_the_boxes_of_the_matching_words(
    client,
    public_item,
    page_storage,
):
    pages = add_pages(public_item, page_storage, count=2)
    response = client.get(f"/iiif/{public_item.pk}/search", {"q": "библиотеката"})
    result = response.json()
    assert response.status_code == 200
    assert result["@context"] == "http://iiif.io/api/search/2/context.json"
    assert result["type"] == "AnnotationPage"
    targets = [hit["target"] for hit in result["items"]]
    base = f"http://testserver/iiif/{public_item.pk}/canvas"
    assert targets == [
        f"{base}/{pages[0].pk}#xywh=100,200,400,50",
        f"{base}/{pages[1].pk}#xywh=100,200,400,50",
    ]
    assert {hit["motivation"] for hit in result["items"]} == {"highlighting"}


def test_a_search_ignores_case_and_punctuation(client, public_item, page_storage):
    add_pages(public_item, page_storage)
    result = client.get(f"/iiif/{public_item.pk}/search", {"q": "ЧИТАЛИЩЕТО СИ"}).json()
    assert [hit["target"].split("#")[1] for hit in result["items"]] == [
        "xywh=100,100,300,50",
        "xywh=520,200,60,50",
    ]


def test_an_empty_query_finds_nothing(client, public_item, page_storage):
    add_pages(public_item, page_storage)
    assert client.get(f"/iiif/{public_item.pk}/search").json()["items"] == []


def test_searching_a_restricted_item_is_a_404(client, staff_item, page_storage):
    add_pages(staff_item, page_storage)
    response = client.get(f"/iiif/{staff_item.pk}/search", {"q": "библиотеката"})
    assert response.status_code == 404


def test_a_search_of_a_big_indexed_item_reads_only_the_matching_pages(
    client, public_item, page_storage
):
    from methodica.heritage import search

    pages = add_pages(
        public_item,
        page_storage,
        count=200,
        words=[["пейзаж", 1, 1, 9, 9]],
        text="пейзаж",
    )
    Page.objects.filter(pk=pages[7].pk).update(
        words=[["библиотеката", 10, 20, 110, 40]], text="библиотеката"
    )
    search.index_item_pages(public_item)
    with count_queries() as queries:
        result = client.get(f"/iiif/{public_item.pk}/search", {"q": "библиотека"})
    assert [hit["target"].split("/")[-1] for hit in result.json()["items"]] == [
        f"{pages[7].pk}#xywh=10,20,100,20"
    ]
    assert len(queries) <= 10
