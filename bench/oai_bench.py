"""Benchmark: a full OAI-PMH harvest (ListRecords, oai_dc) of 20,000 records.

    .venv/bin/python bench/oai_bench.py [--records 20000]

Seeds (once, with bulk_create) a separate database ``methodica_oai_bench`` with
that many public items in 20 collections, each with a creator, a subject and a
place, plus 5% restricted items that must not appear. Then harvests the whole
list through the view (the test client: no network), following resumption
tokens, and prints records per second and the time per page of 100.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "methodica_oai_bench"


def _use_bench_database() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    os.environ.setdefault("METHODICA_DEBUG", "0")
    os.environ.setdefault("METHODICA_SECRET_KEY", "bench-only-secret-key")
    from methodica.embedded_db import (
        create_database,
        ensure_database_url,
        with_database,
    )

    url = ensure_database_url()
    create_database(with_database(url, "postgres"), BENCH_DB)
    os.environ["DATABASE_URL"] = with_database(url, BENCH_DB)


def seed(count: int) -> None:
    from methodica.heritage.models import (
        Authority,
        Collection,
        Item,
        ItemAuthority,
        Subject,
    )
    from methodica.libraries.models import District

    if Item.objects.count() >= count:
        return
    district, _ = District.objects.get_or_create(code="BNCH", defaults={"name": "Бенч"})
    collections = [
        Collection.objects.get_or_create(
            set_spec=f"bench-{n}",
            defaults={"district": district, "title": f"Сбирка {n}"},
        )[0]
        for n in range(20)
    ]
    authority = Authority.objects.create(kind="person", name="Чудомир")
    subject = Subject.objects.get_or_create(term="Казанлък")[0]
    restricted = count // 20
    items = Item.objects.bulk_create(
        [
            Item(
                district=district,
                identifier=f"bench-{n:06d}",
                kind=Item.Kind.NEWSPAPER_ISSUE,
                title=f"Искра, брой {n}",
                description="Местен вестник. " * 5,
                date=f"{1900 + n % 44}",
                languages=["bul"],
                published=True,
                access=Item.Access.STAFF_ONLY if n < restricted else Item.Access.PUBLIC,
            )
            for n in range(count + restricted)
        ],
        batch_size=2000,
    )
    Item.collections.through.objects.bulk_create(
        [
            Item.collections.through(
                item_id=item.pk, collection_id=collections[i % 20].pk
            )
            for i, item in enumerate(items)
        ],
        batch_size=5000,
    )
    Item.subjects.through.objects.bulk_create(
        [
            Item.subjects.through(item_id=item.pk, subject_id=subject.pk)
            for item in items
        ],
        batch_size=5000,
    )
    ItemAuthority.objects.bulk_create(
        [
            ItemAuthority(item=item, authority=authority, role="creator")
            for item in items
        ],
        batch_size=5000,
    )


def harvest() -> tuple[int, float, int]:
    from django.test import Client
    from lxml import etree

    ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
    client = Client()
    params = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    records = pages = 0
    start = time.perf_counter()
    while True:
        tree = etree.fromstring(client.get("/oai", params).content)
        records += len(tree.findall(".//o:record", ns))
        pages += 1
        token = tree.findtext(".//o:resumptionToken", namespaces=ns)
        if not token:
            break
        params = {"verb": "ListRecords", "resumptionToken": token}
    return records, time.perf_counter() - start, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    _use_bench_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", "-v", "0")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    seed(args.records)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    records, seconds, pages = harvest()
    print(
        f"harvested {records} records in {pages} pages: {seconds:.1f} s, "
        f"{records / seconds:.0f} records/s, {1000 * seconds / pages:.0f} ms per page"
    )


if __name__ == "__main__":
    main()
