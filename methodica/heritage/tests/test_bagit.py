import io
import json
import zipfile

import bagit
import pytest

from methodica.heritage import services
from methodica.heritage.models import PreservationEvent
from methodica.heritage.tests.conftest import pdf_bytes, png_bytes, upload
from tests.querycount import count_queries


def unzip(response, tmp_path):
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path / "out")
        (root,) = {name.split("/")[0] for name in archive.namelist()}
    return tmp_path / "out" / root


def test_an_items_bag_is_valid_and_holds_masters_metadata_and_events(
    client_for, cataloguer, public_item, tmp_path
):
    upload(cataloguer, public_item, png_bytes(), "p1.png")
    upload(cataloguer, public_item, pdf_bytes(2), "p2.pdf")
    response = client_for(cataloguer).get(f"/heritage/items/{public_item.pk}/bag.zip")
    assert response.status_code == 200
    path = unzip(response, tmp_path)
    bag = bagit.Bag(str(path))
    bag.validate()  # raises if a checksum or the bag's structure is wrong
    folder = path / "data" / public_item.identifier
    assert sorted(p.name for p in (folder / "masters").iterdir()) == [
        "00001.png",
        "00002.pdf",
    ]
    assert b"<dc:title>" in (folder / "dc.xml").read_bytes()
    events = json.loads((folder / "events.json").read_text())
    assert [e["type"] for e in events] == ["ingest", "ingest"]
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["dublin_core"]["title"] == [public_item.title]


def test_a_collections_bag_holds_only_what_the_user_may_see(
    client_for, cataloguer, district, public_item, staff_item, outsider, tmp_path
):
    collection = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Фотоархив", "set_spec": "photos"},
    )
    for item in (public_item, staff_item):
        services.update_item(
            actor=cataloguer, item=item, values={"collections": [collection]}
        )
    url = f"/heritage/collections/{collection.pk}/bag.zip"
    staff_bag = unzip(client_for(cataloguer).get(url), tmp_path / "a")
    bagit.Bag(str(staff_bag)).validate()
    assert {p.name for p in (staff_bag / "data").iterdir()} == {
        "photo-1",
        "manuscript-1",
    }
    # A bag holds the preservation log with staff names: not for outsiders.
    assert client_for(outsider).get(url).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "reporter", "methodologist"])
@pytest.mark.parametrize("fixture", ["staff_item", "public_item"])
def test_an_items_bag_is_only_for_preservation_staff(client_for, who, fixture, request):
    item = request.getfixturevalue(fixture)
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(f"/heritage/items/{item.pk}/bag.zip").status_code == 404
    if fixture == "public_item":
        page = client.get(f"/heritage/items/{item.pk}/")
        assert page.status_code == 200 and "bag.zip" not in page.text


def test_a_collections_bag_is_only_for_preservation_staff(
    client_for, cataloguer, district, reporter, public_item
):
    collection = services.create_collection(
        actor=cataloguer, district=district, values={"title": "Ф", "set_spec": "f"}
    )
    url = f"/heritage/collections/{collection.pk}/bag.zip"
    assert client_for(reporter).get(url).status_code == 404
    response = client_for(cataloguer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content)
    assert "bag.zip" in client_for(cataloguer).get("/heritage/collections/").text


def test_a_collections_bag_includes_its_series(
    client_for, cataloguer, district, public_item, tmp_path
):
    press = services.create_collection(
        actor=cataloguer, district=district, values={"title": "П", "set_spec": "p"}
    )
    series = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "И", "set_spec": "i", "parent": press},
    )
    services.update_item(
        actor=cataloguer, item=public_item, values={"collections": [series]}
    )
    bag = unzip(
        client_for(cataloguer).get(f"/heritage/collections/{press.pk}/bag.zip"),
        tmp_path,
    )
    assert {p.name for p in (bag / "data").iterdir()} == {"photo-1"}


def test_a_corrupted_master_is_never_exported_and_is_logged(
    client_for, cataloguer, public_item, heritage_storage
):
    master = upload(cataloguer, public_item, png_bytes(), "p1.png")
    with open(heritage_storage.path(master.file.name), "r+b") as stored:
        stored.seek(40)
        stored.write(b"\x00\x01\x02")
    response = client_for(cataloguer).get(
        f"/heritage/items/{public_item.pk}/bag.zip", follow=True
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no longer matches its checksum" in response.text
    event = PreservationEvent.objects.get(type="fixity_failed")
    assert event.file == master and event.outcome == "failure"
    master.refresh_from_db()
    assert master.fixity_ok is False


def test_a_bag_over_the_size_cap_is_refused_with_advice(
    client_for, cataloguer, public_item, settings
):
    upload(cataloguer, public_item, png_bytes((300, 300), "red") + b"", "p1.png")
    settings.METHODICA_HERITAGE_MAX_BAG_BYTES = 100
    response = client_for(cataloguer).get(
        f"/heritage/items/{public_item.pk}/bag.zip", follow=True
    )
    assert "Export smaller parts" in response.text


def test_a_bag_runs_a_fixed_number_of_queries_and_stores_images_as_they_are(
    client_for, cataloguer, district, tmp_path
):
    from methodica.heritage.tests.conftest import make_item

    collection = services.create_collection(
        actor=cataloguer, district=district, values={"title": "Ф", "set_spec": "f"}
    )
    client = client_for(cataloguer)
    url = f"/heritage/collections/{collection.pk}/bag.zip"

    def add(identifier):
        item = make_item(cataloguer, district, identifier, collections=[collection])
        upload(cataloguer, item, png_bytes(), "p.png")

    add("first")

    def download():
        response = client.get(url)
        return b"".join(response.streaming_content)  # closes the spool at its end

    with count_queries() as few:
        content = download()
    for n in range(5):
        add(f"more-{n}")
    with count_queries() as many:
        download()
    assert len(few) == len(many)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (png,) = [i for i in archive.infolist() if i.filename.endswith(".png")]
        assert png.compress_type == zipfile.ZIP_STORED
