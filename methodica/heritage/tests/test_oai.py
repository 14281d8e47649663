"""OAI-PMH 2.0: every verb, every error, validated against the official schemas."""

import datetime

import pytest
from django.utils import timezone

from methodica.heritage import oai, services
from methodica.heritage.models import Item
from methodica.heritage.tests.conftest import make_item
from methodica.heritage.tests.oai_helpers import NS, error_code, valid

ID = "oai:methodica.localhost:"


@pytest.fixture
def collections(cataloguer, district):
    press = services.create_collection(
        actor=cataloguer,
        district=district,
        values={
            "title": "Периодичен печат",
            "set_spec": "press",
            "description": "Вестници",
        },
    )
    iskra = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "в. „Искра“", "set_spec": "iskra", "parent": press},
    )
    return press, iskra


@pytest.fixture
def catalogue(
    cataloguer, district, collections, public_item, staff_item, embargoed_item
):
    from methodica.heritage.models import Authority, Subject

    writer = Authority.objects.create(
        kind="person", name="Чудомир", variants=["Димитър Чорбаджийски"]
    )
    issue = make_item(
        cataloguer,
        district,
        "iskra-1925-01",
        kind=Item.Kind.NEWSPAPER_ISSUE,
        title="Искра, бр. 1",
        date="1925-01-12",
        languages=["bul"],
        collections=[collections[1]],
        subjects=[Subject.objects.create(term="Казанлък")],
    )
    services.update_item(
        actor=cataloguer, item=issue, values={}, credits=[(writer, "creator")]
    )
    return {"issue": issue, "public": public_item, "staff": staff_item}


def get(client, **params):
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return valid(response.content)


def identifiers(tree):
    return [e.text for e in tree.iterfind(".//o:header/o:identifier", NS)]


def test_identify(client, catalogue):
    tree = get(client, verb="Identify")
    identify = tree.find("o:Identify", NS)
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"


def test_list_metadata_formats(client, catalogue):
    tree = get(client, verb="ListMetadataFormats")
    assert tree.findtext(".//o:metadataPrefix", namespaces=NS) == "oai_dc"
    tree = get(client, verb="ListMetadataFormats", identifier=ID + "photo-1")
    assert error_code(tree) is None
    tree = get(client, verb="ListMetadataFormats", identifier=ID + "manuscript-1")
    assert error_code(tree) == "idDoesNotExist"


def test_list_sets_nests_with_colons(client, catalogue):
    tree = get(client, verb="ListSets")
    assert [e.text for e in tree.iterfind(".//o:setSpec", NS)] == [
        "press",
        "press:iskra",
    ]


def test_no_sets_is_no_set_hierarchy(client, public_item):
    assert error_code(get(client, verb="ListSets")) == "noSetHierarchy"
    tree = get(client, verb="ListRecords", metadataPrefix="oai_dc", set="x")
    assert error_code(tree) == "noSetHierarchy"


def test_get_record_gives_dublin_core(client, catalogue):
    tree = get(
        client,
        verb="GetRecord",
        identifier=ID + "iskra-1925-01",
        metadataPrefix="oai_dc",
    )
    dc = tree.find(".//oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Искра, бр. 1"
    assert dc.findtext("dc:creator", namespaces=NS) == "Чудомир"
    assert dc.findtext("dc:date", namespaces=NS) == "1925-01-12"
    assert dc.findtext("dc:language", namespaces=NS) == "bul"
    assert [e.text for e in tree.iterfind(".//o:header/o:setSpec", NS)] == [
        "press:iskra"
    ]


def test_list_records_shows_only_public_records(client, catalogue):
    tree = get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert sorted(identifiers(tree)) == [ID + "iskra-1925-01", ID + "photo-1"]
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert sorted(identifiers(tree)) == [ID + "iskra-1925-01", ID + "photo-1"]


def test_restricted_records_are_not_there_at_all(client, catalogue):
    for identifier in ("manuscript-1", "embargoed-1"):
        tree = get(
            client,
            verb="GetRecord",
            identifier=ID + identifier,
            metadataPrefix="oai_dc",
        )
        assert error_code(tree) == "idDoesNotExist"


def test_a_set_includes_its_sub_sets(client, catalogue):
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="press")
    assert identifiers(tree) == [ID + "iskra-1925-01"]
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nowhere")
    assert error_code(tree) == "noRecordsMatch"


def test_a_deleted_record_stays_as_a_deleted_header(client, catalogue, cataloguer):
    services.delete_item(actor=cataloguer, item=catalogue["public"], reason="дубликат")
    tree = get(
        client, verb="GetRecord", identifier=ID + "photo-1", metadataPrefix="oai_dc"
    )
    header = tree.find(".//o:header", NS)
    assert header.get("status") == "deleted"
    assert tree.find(".//o:metadata", NS) is None
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert ID + "photo-1" in identifiers(tree)


def test_a_deleted_restricted_item_never_appears(client, catalogue, cataloguer):
    services.delete_item(actor=cataloguer, item=catalogue["staff"], reason="x")
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert ID + "manuscript-1" not in identifiers(tree)


def test_from_and_until_at_day_and_seconds_granularity(client, catalogue):
    now = timezone.now().astimezone(datetime.UTC)
    today = now.strftime("%Y-%m-%d")
    tree = get(
        client,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": today, "until": today},
    )
    assert len(identifiers(tree)) == 2
    later = (now + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tree = get(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": later}
    )
    assert error_code(tree) == "noRecordsMatch"
    earlier = (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=earlier)
    assert error_code(tree) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": ID + "photo-1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": ID + "photo-1",
                "metadataPrefix": "mods",
            },
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:elsewhere:1",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01",
                "until": "2024-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2025-01-02",
                "until": "2025-01-01",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-01-01T00:00:00.5Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ],
)
def test_every_error_code(client, catalogue, params, code):
    tree = get(client, **params)
    assert error_code(tree) == code
    if code in ("badVerb", "badArgument"):
        assert not tree.find("o:request", NS).attrib


def test_a_repeated_argument_is_bad(client, catalogue):
    response = client.get(
        "/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"
    )
    assert error_code(valid(response.content)) == "badArgument"


def test_post_works_like_get(client, catalogue):
    response = client.post(
        "/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    )
    assert len(identifiers(valid(response.content))) == 2


def test_resumption_tokens_page_the_list_and_refuse_tampering(
    client, cataloguer, district, monkeypatch
):
    monkeypatch.setattr(oai, "PAGE_SIZE", 3)
    for n in range(7):
        make_item(cataloguer, district, f"p-{n}")
    seen, token, pages = [], None, 0
    while True:
        params = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        tree = get(client, verb="ListRecords", **params)
        seen += identifiers(tree)
        pages += 1
        element = tree.find(".//o:resumptionToken", NS)
        assert element.get("completeListSize") == "7"
        assert element.get("cursor") == str((pages - 1) * 3)
        token = element.text
        if not token:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    # A token for one list is no good for another verb, and a changed one is refused.
    first = get(client, verb="ListRecords", metadataPrefix="oai_dc")
    good = first.find(".//o:resumptionToken", NS).text
    assert (
        error_code(get(client, verb="ListIdentifiers", resumptionToken=good))
        == "badResumptionToken"
    )
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert (
        error_code(get(client, verb="ListRecords", resumptionToken=tampered))
        == "badResumptionToken"
    )


def test_a_list_page_runs_a_fixed_number_of_queries(client, cataloguer, district):
    from tests.querycount import count_queries

    for n in range(5):
        make_item(cataloguer, district, f"q-{n}")
    with count_queries() as few:
        client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    for n in range(5, 25):
        make_item(cataloguer, district, f"q-{n}")
    with count_queries() as many:
        client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert len(few) == len(many), many.statements[-6:]


def test_marcxml_records_validate_against_marc21_slim(client, catalogue):
    tree = get(
        client,
        verb="GetRecord",
        identifier=ID + "iskra-1925-01",
        metadataPrefix="marc21",
    )
    marc = tree.find(".//marc:record", NS)
    assert (
        marc.findtext("marc:controlfield[@tag='001']", namespaces=NS) == "iskra-1925-01"
    )
    assert marc.findtext(
        ".//marc:datafield[@tag='245']/marc:subfield", namespaces=NS
    ) == ("Искра, бр. 1")
    assert marc.findtext(
        ".//marc:datafield[@tag='100']/marc:subfield", namespaces=NS
    ) == ("Чудомир")
    assert marc.findtext("marc:controlfield[@tag='008']", namespaces=NS)[7:11] == "1925"
    tree = get(client, verb="ListRecords", metadataPrefix="marc21")
    assert len(tree.findall(".//marc:record", NS)) == 2
    formats = get(client, verb="ListMetadataFormats")
    assert [e.text for e in formats.iterfind(".//o:metadataPrefix", NS)] == [
        "oai_dc",
        "marc21",
    ]


def test_an_item_whose_embargo_ended_is_stamped_when_it_opened(
    client, cataloguer, district
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_item(cataloguer, district, "opened", embargo_until=yesterday)
    # Made now with an embargo that is over: the datestamp is now (the later).
    tree = get(
        client, verb="GetRecord", identifier=ID + "opened", metadataPrefix="oai_dc"
    )
    assert tree.findtext(".//o:datestamp", namespaces=NS)[:10] == (
        timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%d")
    )
    future = timezone.localdate() + datetime.timedelta(days=10)
    item = make_item(cataloguer, district, "later", embargo_until=future)
    item.refresh_from_db()
    assert timezone.localtime(item.harvest_stamp).date() == future
    assert timezone.localtime(item.harvest_stamp).time() == datetime.time.min


def test_another_districts_staff_get_nothing_restricted(client, catalogue, db):
    from methodica.core.permissions import Role
    from methodica.heritage.access import can_view
    from tests.factories import DistrictFactory, UserFactory, member

    elsewhere = DistrictFactory(name="Хасково", code="HKV")
    stranger = member(UserFactory(username="hkv-cat"), Role.CATALOGUER, elsewhere)
    assert not can_view(stranger, catalogue["staff"], None)
    assert not Item.objects.viewable(stranger, None).filter(pk=catalogue["staff"].pk)
    client.force_login(stranger)
    assert client.get(f"/heritage/items/{catalogue['staff'].pk}/").status_code == 404
    assert (
        client.get(f"/heritage/items/{catalogue['public'].pk}/edit/").status_code == 404
    )


def test_deleting_an_embargoed_item_reveals_nothing(client, cataloguer, district):
    item = make_item(
        cataloguer,
        district,
        "secret-1",
        embargo_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.delete_item(actor=cataloguer, item=item, reason="грешка")
    item.refresh_from_db()
    assert item.harvest_stamp == item.deleted_at <= timezone.now()
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert error_code(tree) == "noRecordsMatch"
    tree = get(
        client, verb="GetRecord", identifier=ID + "secret-1", metadataPrefix="oai_dc"
    )
    assert error_code(tree) == "idDoesNotExist"


@pytest.mark.parametrize(
    "change",
    [
        {"access": "staff_only"},
        {"published": False},
        {"embargo_until": datetime.date(2099, 1, 1)},
    ],
)
def test_a_once_public_item_that_is_restricted_is_announced_deleted(
    client, cataloguer, public_item, change
):
    before = public_item.harvest_stamp
    services.update_item(actor=cataloguer, item=public_item, values=change)
    public_item.refresh_from_db()
    assert public_item.oai_exposed
    assert before <= public_item.harvest_stamp <= timezone.now()
    tree = get(client, verb="ListRecords", metadataPrefix="oai_dc")
    (header,) = tree.iterfind(".//o:header", NS)
    assert header.get("status") == "deleted"
    assert tree.find(".//o:metadata", NS) is None


def test_an_item_whose_embargo_ends_is_in_a_from_harvest(
    client, cataloguer, district, monkeypatch
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    item = make_item(cataloguer, district, "later-1", embargo_until=tomorrow)
    opens = item.harvest_stamp.astimezone(datetime.UTC).date()
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert error_code(tree) == "noRecordsMatch"
    real_now = timezone.now
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: real_now() + datetime.timedelta(days=2)
    )
    tree = get(
        client,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": opens.isoformat()},
    )
    assert identifiers(tree) == [ID + "later-1"]


def test_the_datestamp_is_taken_again_after_the_commit(
    cataloguer, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = make_item(cataloguer, district, "late-commit")
    stamp_in_transaction = Item.objects.get(pk=item.pk).harvest_stamp
    committed = timezone.now()
    for callback in callbacks:
        callback()
    assert Item.objects.get(pk=item.pk).harvest_stamp >= committed
    assert committed > stamp_in_transaction


@pytest.mark.parametrize("name", ["from", "until", "set"])
def test_an_empty_argument_is_a_bad_argument(client, catalogue, name):
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{name: ""})
    assert error_code(tree) == "badArgument"


def test_a_public_series_under_a_private_collection_is_no_set(
    client, cataloguer, district, public_item
):
    hidden = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Скрита", "set_spec": "hidden", "public": False},
    )
    series = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Серия", "set_spec": "series", "parent": hidden},
    )
    services.update_item(
        actor=cataloguer, item=public_item, values={"collections": [series]}
    )
    assert error_code(get(client, verb="ListSets")) == "noSetHierarchy"
    tree = get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(tree) == [ID + "photo-1"]
    assert tree.find(".//o:setSpec", NS) is None


def test_moving_a_collection_restamps_its_items(cataloguer, district, public_item):
    press = services.create_collection(
        actor=cataloguer, district=district, values={"title": "П", "set_spec": "p"}
    )
    services.update_item(
        actor=cataloguer, item=public_item, values={"collections": [press]}
    )
    Item.objects.filter(pk=public_item.pk).update(
        harvest_stamp=timezone.now() - datetime.timedelta(days=3)
    )
    services.update_collection(
        actor=cataloguer, collection=press, values={"set_spec": "press"}
    )
    public_item.refresh_from_db()
    assert public_item.harvest_stamp > timezone.now() - datetime.timedelta(minutes=1)


def test_a_person_an_item_is_about_is_a_subject(client, cataloguer, public_item):
    from methodica.heritage.models import Authority

    person = Authority.objects.create(kind="person", name="Христо Ботев")
    services.update_item(
        actor=cataloguer, item=public_item, values={}, credits=[(person, "subject")]
    )
    identifier = ID + "photo-1"
    tree = get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert tree.findtext(".//dc:subject", namespaces=NS) == "Христо Ботев"
    assert tree.find(".//dc:contributor", NS) is None
    tree = get(client, verb="GetRecord", identifier=identifier, metadataPrefix="marc21")
    tags = [f.get("tag") for f in tree.iterfind(".//marc:datafield", NS)]
    assert "600" in tags and "700" not in tags and "100" not in tags
