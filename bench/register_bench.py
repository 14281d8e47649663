"""Benchmark: the register list page and the API list with a country's worth of libraries.

    .venv/bin/python bench/register_bench.py [--libraries 36000] [--runs 30]

Seeds (once) a separate database ``methodica_bench`` on the same server as the app
(the embedded one unless DATABASE_URL is set) with one district of 36,000 libraries,
then requests each page through Django's test client (middleware, permissions and
templates included) and prints the number of queries and the median and 95th-percentile
time per page size. The query count must not change with the page size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "methodica_bench"


def _use_bench_database() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    os.environ.setdefault("METHODICA_DEBUG", "0")
    os.environ.setdefault("METHODICA_SECRET_KEY", "bench-only-secret-key")
    os.environ["METHODICA_ALLOWED_HOSTS"] = "testserver"
    from methodica.embedded_db import (
        create_database,
        ensure_database_url,
        with_database,
    )

    url = ensure_database_url()
    create_database(with_database(url, "postgres"), BENCH_DB)
    os.environ["DATABASE_URL"] = with_database(url, BENCH_DB)


def seed(total: int) -> None:
    import random
    from decimal import Decimal

    from methodica.accounts.models import Membership, User
    from methodica.core.permissions import Role
    from methodica.libraries.models import District, Library, Municipality, Settlement

    if Library.objects.count() >= total:
        return
    started = time.perf_counter()
    rng = random.Random(36000)  # noqa: S311 - seeded test data, not secrets
    district, _ = District.objects.get_or_create(
        code="BENCH", defaults={"name": "Bench"}
    )
    municipalities = Municipality.objects.bulk_create(
        [
            Municipality(district=district, name=f"Община {i}", code=f"B{i:04d}")
            for i in range(265)
        ]
    )
    settlements = Settlement.objects.bulk_create(
        [
            Settlement(
                municipality=municipalities[i % 265],
                name=f"Село {i}",
                ekatte=f"{i:05d}",
                kind="village",
                population=rng.randint(50, 5000),
            )
            for i in range(12000)
        ]
    )
    libraries = []
    for i in range(total):
        settlement = settlements[i % len(settlements)]
        libraries.append(
            Library(
                name=f"НЧ „{rng.choice(['Просвета', 'Светлина', 'Пробуда', 'Христо Ботев'])} – "
                f"{rng.randint(1860, 1960)}“ {i}",
                library_type=rng.choice(["chitalishte"] * 8 + ["municipal", "school"]),
                municipality_id=settlement.municipality_id,
                settlement=settlement,
                chitalishte_number=f"B-{i}",
                register_number=f"BR-{i}",
                latitude=Decimal("42.4") + Decimal(rng.randint(0, 9999)) / 10000,
                longitude=Decimal("25.6") + Decimal(rng.randint(0, 9999)) / 10000,
                status=rng.choice(["active"] * 18 + ["suspended", "closed"]),
                opening_hours={"mon": "09:00-17:00"},
            )
        )
    Library.objects.bulk_create(libraries, batch_size=2000)
    methodologist = User.objects.create_user(
        "bench-methodologist", "m@example.org", "x"
    )
    Membership.objects.create(
        user=methodologist, role=Role.METHODOLOGIST, district=district
    )
    reporter = User.objects.create_user("bench-reporter", "r@example.org", "x")
    Membership.objects.create(
        user=reporter,
        role=Role.REPORTER,
        library=Library.objects.order_by("pk").first(),
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {total} libraries in {time.perf_counter() - started:.1f} s")


def measure(
    client, url: str, runs: int, headers: dict | None = None
) -> tuple[int, float, float]:
    from django.db import connection

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return (
        len(statements),
        statistics.median(timings),
        timings[int(len(timings) * 0.95) - 1],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--libraries", type=int, default=36_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    _use_bench_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from methodica.accounts.models import User

    call_command("migrate", "--no-input", "-v", "0")
    seed(args.libraries)
    methodologist = User.objects.get(username="bench-methodologist")
    token, _ = Token.objects.get_or_create(user=methodologist)
    web = Client()
    web.force_login(methodologist)
    api = Client(headers={"Authorization": f"Token {token.key}"})
    reporter = Client()
    reporter.force_login(User.objects.get(username="bench-reporter"))
    cases = [
        ("list page, 25 a page", web, "/libraries/?size=25"),
        ("list page, 50 a page", web, "/libraries/?size=50"),
        ("list page, 200 a page", web, "/libraries/?size=200"),
        ("list page, page 500", web, "/libraries/?size=50&page=500"),
        ("list page, sorted by municipality", web, "/libraries/?sort=municipality"),
        (
            "list page, search 'Просвета'",
            web,
            "/libraries/?q=%D0%9F%D1%80%D0%BE%D1%81%D0%B2%D0%B5%D1%82%D0%B0",
        ),
        ("list page, type+status filter", web, "/libraries/?type=school&status=active"),
        (
            "list page (htmx table only)",
            web,
            "/libraries/?size=50",
            {"HX-Request": "true"},
        ),
        ("list page, a reporter", reporter, "/libraries/"),
        ("API list, 50 a page", api, "/api/v1/libraries/?page_size=50"),
        ("API list, 500 a page", api, "/api/v1/libraries/?page_size=500"),
        (
            "API list, search",
            api,
            "/api/v1/libraries/?q=%D0%A1%D0%B2%D0%B5%D1%82%D0%BB%D0%B8%D0%BD%D0%B0",
        ),
    ]
    from methodica.libraries.models import Library

    print(
        f"\nlibraries in the register: {Library.objects.count()}, runs per case: {args.runs}"
    )
    print(f"{'case':40} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for label, client, url, *headers in cases:
        count, median, p95 = measure(
            client, url, args.runs, headers[0] if headers else None
        )
        print(f"{label:40} {count:7d} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
