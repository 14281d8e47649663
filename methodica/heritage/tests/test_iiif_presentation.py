"""IIIF Presentation 3: manifests and collections, valid against the official schema."""

import pytest

from methodica.heritage import services
from methodica.heritage.models import Collection, Item
from methodica.heritage.tests.conftest import make_item
from methodica.heritage.tests.iiif_helpers import (
    add_pages,
    page_storage_fixture,  # noqa: F401
    validate,
)
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("page_storage")
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"


@pytest.fixture
def paged_item(public_item, page_storage):
    add_pages(public_item, page_storage, count=3, size=(800, 1000))
    return public_item


def test_a_manifest_is_valid_presentation_3_with_a_canvas_per_page(client, paged_item):
    response = client.get(f"/iiif/{paged_item.pk}/manifest.json")
    manifest = response.json()
    validate(manifest)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert manifest["id"] == f"http://testserver/iiif/{paged_item.pk}/manifest.json"
    assert manifest["label"] == {"none": ["Площадът, 1930"]}
    assert len(manifest["items"]) == 3
    canvas = manifest["items"][0]
    assert (canvas["width"], canvas["height"]) == (800, 1000)
    painting = canvas["items"][0]["items"][0]
    assert painting["motivation"] == "painting" and painting["target"] == canvas["id"]
    service = painting["body"]["service"][0]
    assert service["type"] == "ImageService3"
    assert (
        client.get(
            service["id"].removeprefix("http://testserver") + "/info.json"
        ).status_code
        == 200
    )
    assert manifest["service"] == [
        {
            "id": f"http://testserver/iiif/{paged_item.pk}/search",
            "type": "SearchService2",
        }
    ]
    assert manifest["rights"] == paged_item.rights
    assert manifest["homepage"][0]["id"].endswith(f"/heritage/view/{paged_item.pk}/")
    assert "GetRecord" in manifest["seeAlso"][0]["id"]
    assert manifest["thumbnail"][0]["type"] == "Image"


def test_the_manifest_speaks_the_items_language_and_offers_the_pdf_when_rights_allow(
    client,
    cataloguer,
    district,
    page_storage,
):
    item = make_item(
        cataloguer,
        district,
        "book-1",
        kind=Item.Kind.BOOK,
        title="Летопис",
        description="Летопис на града",
        languages=["bul"],
        rights=NKC,
    )
    add_pages(item, page_storage)
    manifest = client.get(f"/iiif/{item.pk}/manifest.json").json()
    validate(manifest)
    assert manifest["label"] == {"bg": ["Летопис"]}
    assert manifest["summary"] == {"bg": ["Летопис на града"]}
    assert manifest["rendering"][0]["format"] == "application/pdf"
    titles = [m for m in manifest["metadata"] if m["value"] == {"bg": ["Летопис"]}]
    assert titles


def test_no_pdf_is_offered_to_the_public_for_an_item_in_copyright(client, paged_item):
    manifest = client.get(f"/iiif/{paged_item.pk}/manifest.json").json()
    assert "rendering" not in manifest  # "copyright not evaluated" by default


def test_a_1000_page_manifest_is_valid_and_built_in_a_few_queries(
    client,
    public_item,
    page_storage,
):
    add_pages(public_item, page_storage, count=1000, words=[])
    with count_queries() as queries:
        response = client.get(f"/iiif/{public_item.pk}/manifest.json")
    manifest = response.json()
    assert len(manifest["items"]) == 1000
    assert len(queries) <= 12
    validate(manifest)
    labels = [canvas["label"]["none"][0] for canvas in manifest["items"]]
    assert labels[:3] == ["1", "2", "3"] and labels[-1] == "1000"


def test_the_manifest_changes_when_the_item_changes(client, cataloguer, paged_item):
    client.get(f"/iiif/{paged_item.pk}/manifest.json")
    services.update_item(
        actor=cataloguer,
        item=Item.objects.get(pk=paged_item.pk),
        values={"title": "Площадът, 1931"},
    )
    manifest = client.get(f"/iiif/{paged_item.pk}/manifest.json").json()
    assert manifest["label"] == {"none": ["Площадът, 1931"]}


@pytest.mark.parametrize(
    "fixture", ["staff_item", "embargoed_item", "unpublished_item", "reading_room_item"]
)
def test_a_restricted_items_manifest_is_a_404_for_anonymous(client, request, fixture):
    item = request.getfixturevalue(fixture)
    assert client.get(f"/iiif/{item.pk}/manifest.json").status_code == 404


def test_staff_get_the_manifest_of_a_staff_only_item_without_cors(
    client_for,
    methodologist,
    staff_item,
    page_storage,
):
    add_pages(staff_item, page_storage)
    response = client_for(methodologist).get(f"/iiif/{staff_item.pk}/manifest.json")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    validate(response.json())
    assert "seeAlso" not in response.json()  # OAI-PMH does not show it


def test_another_districts_staff_cannot_get_a_staff_only_manifest(
    client_for, reporter, staff_item
):
    response = client_for(reporter).get(f"/iiif/{staff_item.pk}/manifest.json")
    assert response.status_code == 404


def test_a_collection_is_valid_and_lists_only_viewable_items_and_public_series(
    client, cataloguer, district, paged_item, staff_item
):
    top = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Краеведска колекция", "set_spec": "local", "public": True},
    )
    services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Вестници", "set_spec": "news", "parent": top, "public": True},
    )
    services.create_collection(
        actor=cataloguer,
        district=district,
        values={
            "title": "Скрита",
            "set_spec": "hidden",
            "parent": top,
            "public": False,
        },
    )
    for item in (paged_item, staff_item):
        item.collections.add(top)
    response = client.get(f"/iiif/collection/{top.pk}.json")
    collection = response.json()
    validate(collection)
    kinds = [(entry["type"], entry["label"]) for entry in collection["items"]]
    assert kinds == [
        ("Collection", {"en": ["Вестници"]}),
        ("Manifest", {"none": ["Площадът, 1930"]}),
    ]
    hidden = Collection.objects.get(set_spec="hidden")
    assert client.get(f"/iiif/collection/{hidden.pk}.json").status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_public_collection_listed_for_staff_is_never_shared_cached(
    client_for, cataloguer, district, paged_item, staff_item
):
    top = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Краеведска колекция", "set_spec": "local", "public": True},
    )
    staff_item.collections.add(top)
    response = client_for(cataloguer).get(f"/iiif/collection/{top.pk}.json")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1  # the staff-only item
    assert "Access-Control-Allow-Origin" not in response
    assert response["Cache-Control"].startswith("private")


def test_a_series_under_a_private_collection_is_hidden_but_staff_see_it(
    client, client_for, cataloguer, methodologist, district
):
    private = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Архив", "set_spec": "archive", "public": False},
    )
    series = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Писма", "set_spec": "letters", "parent": private},
    )
    assert client.get(f"/iiif/collection/{series.pk}.json").status_code == 404
    response = client_for(methodologist).get(f"/iiif/collection/{private.pk}.json")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert [entry["label"] for entry in response.json()["items"]] == [{"en": ["Писма"]}]


def test_iiif_answers_head_requests(client, paged_item):
    assert client.head(f"/iiif/{paged_item.pk}/manifest.json").status_code == 200
