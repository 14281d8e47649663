"""Control characters XML cannot hold: refused on input, dropped on output."""

import pytest
from django.core.exceptions import ValidationError

from methodica.core.errors import DomainError
from methodica.heritage import services
from methodica.heritage.models import Collection, Item
from methodica.heritage.tests.conftest import make_item, upload
from methodica.heritage.tests.oai_helpers import NS, valid
from methodica.heritage.xmltext import no_control_characters, xml_safe


def test_the_service_refuses_a_vertical_tab_in_a_title_and_saves_nothing(
    cataloguer, district
):
    with pytest.raises(DomainError) as refused:
        make_item(cataloguer, district, "vt-1", title="Площад\x0bът")
    assert refused.value.field == "title"
    assert "control characters" in refused.value.message
    assert not Item.objects.exists()


def test_an_edit_and_a_collection_are_checked_too(cataloguer, district, public_item):
    with pytest.raises(DomainError):
        services.update_item(
            actor=cataloguer, item=public_item, values={"description": "a\x00b"}
        )
    with pytest.raises(DomainError):
        services.create_collection(
            actor=cataloguer,
            district=district,
            values={"title": "Ф\x1f", "set_spec": "f"},
        )
    assert not Collection.objects.exists()


def test_the_form_shows_a_translated_message(client_for, cataloguer):
    response = client_for(cataloguer).post(
        "/heritage/items/new/",
        {
            "identifier": "x",
            "kind": "book",
            "title": "К\x01а",
            "rights": "http://rightsstatements.org/vocab/InC/1.0/",
            "access": "public",
        },
    )
    assert response.status_code == 200
    assert "control characters" in response.text
    assert not Item.objects.exists()


def test_the_validator_allows_tabs_and_newlines():
    no_control_characters("ред\tи\nред\r")
    with pytest.raises(ValidationError):
        no_control_characters("\ufffe")
    assert xml_safe("a\x0bb\x00c\n") == "ab" + "c\n"


def test_a_bad_row_already_stored_does_not_break_a_harvest_or_a_bag(
    client, client_for, cataloguer, district, public_item
):
    collection = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Ф", "set_spec": "f", "description": "о"},
    )
    services.update_item(
        actor=cataloguer, item=public_item, values={"collections": [collection]}
    )
    from methodica.heritage.tests.conftest import png_bytes

    upload(cataloguer, public_item, png_bytes(), "p.png")
    Item.objects.filter(pk=public_item.pk).update(title="Пло\x0bщад", publisher="\x01")
    Collection.objects.filter(pk=collection.pk).update(
        title="Ф\x0b", description="о\x02"
    )
    for prefix in ("oai_dc", "marc21"):
        response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": prefix})
        assert response.status_code == 200
        valid(response.content)
    tree = valid(client.get("/oai", {"verb": "ListSets"}).content)
    assert tree.findtext(".//o:setName", namespaces=NS) == "Ф"
    response = client_for(cataloguer).get(f"/heritage/items/{public_item.pk}/bag.zip")
    assert response.status_code == 200 and b"".join(response.streaming_content)
