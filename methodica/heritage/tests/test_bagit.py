import io
import json
import zipfile

import bagit
import pytest

from methodica.heritage import services
from methodica.heritage.tests.conftest import pdf_bytes, png_bytes, upload


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
    outsider_bag = unzip(client_for(outsider).get(url), tmp_path / "b")
    assert {p.name for p in (outsider_bag / "data").iterdir()} == {"photo-1"}


@pytest.mark.parametrize("who", ["outsider", "reporter"])
def test_a_restricted_items_bag_is_not_found_for_non_staff(
    client_for, staff_item, who, request
):
    user = request.getfixturevalue(who)
    response = client_for(user).get(f"/heritage/items/{staff_item.pk}/bag.zip")
    assert response.status_code == 404
