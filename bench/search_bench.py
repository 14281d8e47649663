"""Benchmark: Bulgarian full-text search with facets over N synthetic OCR pages.

    .venv/bin/python bench/search_bench.py [--pages 1000000] [--queries 200]

Seeds (once per size) a separate database ``methodica_search_bench`` with public
items of 20 pages each. The page text is generated in SQL (``INSERT ... SELECT
generate_series``) from Hunspell's Bulgarian word list (lower-case stems, with
article and plural endings added), each word drawn with Zipf frequencies (rank r
with probability ∝ 1/r: ``floor(V ^ random())``), 120 words a page; the vectors
are built in the same statement with the ``bg`` configuration. Then it runs the
queries through ``search.search`` (anonymous user: the access filter included;
every query computes all facet counts, every fourth also filters by a kind) and
prints median and p95 latency.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "methodica_search_bench"
WORDS_PER_PAGE = 120
PAGES_PER_ITEM = 20
DICTIONARY = Path("/usr/share/hunspell/bg_BG.dic")


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


def vocabulary(size: int = 20000) -> list[str]:
    stems = [
        line.split("/")[0]
        for line in DICTIONARY.read_text(encoding="utf-8").splitlines()[1:]
        if line[:1].islower()
    ]
    rng = random.Random(7)  # noqa: S311 - reproducible synthetic data
    rng.shuffle(stems)
    words = []
    for stem in stems[: size // 2]:
        words.append(stem)
        words.append(stem + rng.choice(["та", "те", "ът", "и", "ите", "а"]))
    return words


def seed(pages: int, words: list[str]) -> None:
    from django.db import connection

    from methodica.heritage.models import Item, MasterFile, Page
    from methodica.libraries.models import District

    if Page.objects.count() >= pages:
        return
    Page.objects.all().delete()
    MasterFile.objects.all().delete()
    Item.objects.all().delete()
    district, _ = District.objects.get_or_create(
        code="SBNCH", defaults={"name": "Търсене"}
    )
    kinds = [k for k, _ in Item.Kind.choices]
    items = pages // PAGES_PER_ITEM
    rng = random.Random(1)  # noqa: S311 - reproducible synthetic data
    import datetime

    Item.objects.bulk_create(
        [
            Item(
                district=district,
                identifier=f"s-{n}",
                kind=kinds[n % len(kinds)],
                title=" ".join(rng.choice(words[:3000]) for _ in range(4)),
                languages=["bul"],
                published=True,
                date_start=datetime.date(1880 + n % 65, 1, 1),
                date_end=datetime.date(1880 + n % 65, 12, 31),
            )
            for n in range(items)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE heritage_item SET search_vector ="
            " setweight(to_tsvector('bg', title), 'A') WHERE identifier LIKE 's-%%'"
        )
        cursor.execute(
            "INSERT INTO heritage_masterfile (item_id, file, original_name, mime_type,"
            ' size, sha256, "order", pages, text, text_source, uploaded_at)'
            " SELECT i.id, 'bench/' || i.id || '.pdf', 'x.pdf', 'application/pdf', 1,"
            " repeat('0', 64), 1, %s, '', 'ocr', now() FROM heritage_item i",
            [PAGES_PER_ITEM],
        )
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO heritage_page (item_id, master_id, page_number, "order", label,
                image, thumbnail, derivatives_status, derivatives_error, text,
                text_source, words, ocr_status, ocr_error, ocr_languages,
                search_vector, updated_at)
            SELECT m.item_id, m.id, g.n, g.n, g.n::text, '', '', 'done', '', t.text,
                'ocr', '[]', 'done', '', 'bul', to_tsvector('bg', t.text), now()
            FROM heritage_masterfile m, generate_series(1, %(per)s) AS g(n),
            LATERAL (SELECT string_agg(
                (%(words)s::text[])[floor(power(%(v)s, random()))::int + 0 * (g.n + w.k)],
                ' ') AS text FROM generate_series(1, %(wpp)s) AS w(k)) AS t
            """,
            {
                "per": PAGES_PER_ITEM,
                "words": words,
                "v": len(words),
                "wpp": WORDS_PER_PAGE,
            },
        )
        print(f"seeded {pages} pages in {time.perf_counter() - started:.0f} s")
        cursor.execute("VACUUM ANALYZE heritage_page")
        cursor.execute("VACUUM ANALYZE heritage_item")
        cursor.execute("VACUUM ANALYZE heritage_masterfile")


def run(queries: int, words: list[str]) -> list[float]:
    from django.contrib.auth.models import AnonymousUser

    from methodica.heritage import search

    rng = random.Random(3)  # noqa: S311 - reproducible synthetic data
    user = AnonymousUser()
    times = []
    for n in range(queries):
        # Mostly mid-frequency words, as people search; some rare, some two-word.
        first = words[int(len(words) ** rng.uniform(0.3, 1.0)) - 1]
        query = first if n % 3 else f"{first} {rng.choice(words[:2000])}"
        facets = {"kind": ["book"]} if n % 4 == 0 else {}
        started = time.perf_counter()
        search.search(query, user=user, ip=None, facets=facets)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    _use_bench_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", "-v", "0")
    words = vocabulary()
    seed(args.pages, words)
    run(5, words)  # warm: the first use of the dictionary costs a connection ~0.2 s
    times = sorted(run(args.queries, words))
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{args.pages} pages, {args.queries} queries with facets: "
        f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
