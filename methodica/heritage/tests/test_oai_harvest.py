"""A real harvester (sickle) harvests everything public over HTTP, across tokens."""

import warnings

import pytest

with warnings.catch_warnings():
    # sickle's source has an invalid regex escape ("\\{") that Python warns about
    # when it compiles the module; the warning is not ours to fix.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    from sickle import Sickle

from methodica.heritage.models import Item
from methodica.libraries.models import District

PUBLIC, RESTRICTED = 260, 15


def _items(district, prefix, count, **values):
    values.setdefault("published", True)
    Item.objects.bulk_create(
        Item(
            district=district,
            identifier=f"{prefix}-{n:04d}",
            kind=Item.Kind.PHOTOGRAPH,
            title=f"Снимка {n}",
            **values,
        )
        for n in range(count)
    )


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_every_public_record_exactly_once(live_server):
    district = District.objects.create(name="Стара Загора", code="SZR")
    _items(district, "pub", PUBLIC)
    _items(district, "staff", RESTRICTED, access=Item.Access.STAFF_ONLY)
    _items(district, "room", RESTRICTED, access=Item.Access.READING_ROOM)
    _items(district, "draft", RESTRICTED, published=False)

    harvester = Sickle(f"{live_server.url}/oai", max_retries=0)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    identifiers = [record.header.identifier for record in records]

    assert len(identifiers) == len(set(identifiers)) == PUBLIC  # three pages
    assert all(i.startswith("oai:methodica.localhost:pub-") for i in identifiers)
    assert records[0].metadata["title"][0].startswith("Снимка")
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert {h.identifier for h in headers} == set(identifiers)
