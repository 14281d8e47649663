"""Benchmark: the IIIF Presentation 3 manifest of a 1,000-page item.

    .venv/bin/python bench/manifest_bench.py [--pages 1000] [--rounds 20]

Seeds (once, with bulk_create) a separate database ``methodica_manifest_bench``
with one public item of that many pages (canvases), then asks for
``/iiif/<id>/manifest.json`` through the view (the test client: middleware, access
check and JSON encoding included, the network not). Prints the cold build (the
cache emptied before each round) and the cached answer, median and worst, and the
queries of a cold build. The manifest is validated against the schema once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "methodica_manifest_bench"


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


def seed(pages: int):
    from methodica.heritage.models import Item, MasterFile, Page
    from methodica.libraries.models import District

    identifier = f"bench-manifest-{pages}"
    item = Item.objects.filter(identifier=identifier).first()
    if item is not None:
        return item
    district, _ = District.objects.get_or_create(code="BNCH", defaults={"name": "Бенч"})
    item = Item.objects.create(
        district=district,
        identifier=identifier,
        kind=Item.Kind.NEWSPAPER_ISSUE,
        title="Искра, годишнина 1910",
        description="Местен вестник. " * 5,
        date="1910",
        languages=["bul"],
        published=True,
    )
    master = MasterFile.objects.create(
        item=item,
        file=f"masters/{identifier}/volume.pdf",
        original_name="volume.pdf",
        mime_type=MasterFile.Mime.PDF,
        size=1,
        sha256="0" * 64,
        order=1,
        pages=pages,
    )
    Page.objects.bulk_create(
        [
            Page(
                item=item,
                master=master,
                page_number=n,
                order=n,
                label=str(n),
                width=2480,
                height=3508,
                image=f"derivatives/{identifier}/{n}.jpg",
                derivatives_status=Page.Status.DONE,
            )
            for n in range(1, pages + 1)
        ],
        batch_size=2000,
    )
    return item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    _use_bench_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", "--no-input", "-v", "0")
    settings.ALLOWED_HOSTS = ["testserver"]
    item = seed(args.pages)
    client = Client()
    url = f"/iiif/{item.pk}/manifest.json"
    client.get(url)  # the first request of a process loads translations and URLs
    cold, warm = [], []
    for _ in range(args.rounds):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - start)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        manifest = client.get(url).json()
    import jsonschema

    schema = json.loads(
        (ROOT / "tests" / "schemas" / "iiif_presentation_3.json").read_text()
    )
    jsonschema.validate(manifest, schema)
    size = len(response.content)
    print(
        f"manifest of {len(manifest['items'])} canvases ({size / 1024:.0f} KiB, valid): "
        f"cold build median {1000 * statistics.median(cold):.0f} ms, "
        f"worst {1000 * max(cold):.0f} ms, {len(queries)} queries; "
        f"cached median {1000 * statistics.median(warm):.0f} ms, "
        f"worst {1000 * max(warm):.0f} ms"
    )


if __name__ == "__main__":
    main()
