"""Benchmark: how to store annual report values, measured before the reporting module.

    .venv/bin/python bench/reporting_storage_bench.py [--libraries 36000] [--years 15]
        [--indicators 100] [--runs 15]

Builds, in a separate database ``methodica_storage_bench`` on the app's server, the
same synthetic data (heavy-tailed library sizes, about 3% of values carried as
marks such as "not applicable", a few libraries closing) in two layouts:

* ``rows``: one row per value: (report, indicator, number, mark);
* ``docs``: one JSONB document per report: {"indicator_code": number or mark};
* ``aggregates``: ``rows`` plus a table of accepted totals per municipality, year and
  indicator (with the coverage), which accepting a report would update;

and prints, for each, the time of the questions the reporting issue names:

* one district's consolidation for one year, by municipality, with last year beside it
  (sums that skip marks, plus the coverage: reports behind each total);
* the national consolidation for one year;
* saving one report (upsert of ~100 values) and reading it back;
* the size on disk.

Figures are printed; nothing is asserted. See docs/decisions/0004.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "methodica_storage_bench"

SCHEMA = """
DROP TABLE IF EXISTS value_row, report_doc, aggregate, report, library, municipality;
CREATE TABLE municipality (id int PRIMARY KEY, district_id int NOT NULL);
CREATE TABLE library (id int PRIMARY KEY, municipality_id int NOT NULL, size real NOT NULL);
CREATE TABLE report (
    id serial PRIMARY KEY, library_id int NOT NULL, year int NOT NULL,
    status smallint NOT NULL, UNIQUE (year, library_id)
);
CREATE TABLE value_row (
    report_id int NOT NULL, indicator_id smallint NOT NULL,
    number numeric(14, 2), mark smallint,
    PRIMARY KEY (report_id, indicator_id)
);
CREATE TABLE report_doc (report_id int PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE aggregate (
    municipality_id int NOT NULL, year int NOT NULL, indicator_id smallint NOT NULL,
    total numeric(18, 2), reported int NOT NULL, expected int NOT NULL,
    PRIMARY KEY (year, municipality_id, indicator_id)
);
"""

FILL = """
INSERT INTO municipality SELECT m, 1 + m / 11 FROM generate_series(0, %(municipalities)s - 1) m;
INSERT INTO library
SELECT l, l %% %(municipalities)s, exp(random() * 4)  -- heavy-tailed: 1 to ~55
FROM generate_series(0, %(libraries)s - 1) l;
INSERT INTO report (library_id, year, status)
SELECT l.id, y, CASE WHEN random() < 0.97 THEN 3 ELSE 1 END
FROM library l, generate_series(%(first_year)s, %(last_year)s) y
WHERE NOT (l.id %% 97 = 0 AND y > %(first_year)s + 7);  -- some libraries close
INSERT INTO value_row
SELECT r.id, i,
       CASE WHEN random() < 0.03 THEN NULL ELSE round((l.size * (i + 1) * (0.8 + random() * 0.4))::numeric, 2) END,
       CASE WHEN random() < 0.03 THEN 1 + (random() * 3)::int ELSE NULL END
FROM report r JOIN library l ON l.id = r.library_id, generate_series(0, %(indicators)s - 1) i;
UPDATE value_row SET number = NULL WHERE mark IS NOT NULL;
INSERT INTO report_doc
SELECT report_id, jsonb_object_agg('i' || indicator_id,
       CASE WHEN mark IS NULL THEN to_jsonb(number) ELSE to_jsonb('m' || mark) END)
FROM value_row GROUP BY report_id;
CREATE INDEX report_year_library ON report (year, library_id);
INSERT INTO aggregate
SELECT l.municipality_id, r.year, v.indicator_id, sum(v.number), count(v.number), count(*)
FROM report r JOIN library l ON l.id = r.library_id JOIN value_row v ON v.report_id = r.id
WHERE r.status = 3 GROUP BY 1, 2, 3;
ANALYZE;
"""

DISTRICT_ROWS = """
SELECT m.id, r.year, v.indicator_id, sum(v.number), count(v.number), count(*)
FROM report r
JOIN library l ON l.id = r.library_id
JOIN municipality m ON m.id = l.municipality_id
JOIN value_row v ON v.report_id = r.id
WHERE m.district_id = %(district)s AND r.year IN (%(year)s, %(year)s - 1) AND r.status = 3
GROUP BY m.id, r.year, v.indicator_id
"""

DISTRICT_DOCS = """
SELECT m.id, r.year, e.key, sum((e.value #>> '{}')::numeric)
         FILTER (WHERE jsonb_typeof(e.value) = 'number'),
       count(*) FILTER (WHERE jsonb_typeof(e.value) = 'number'), count(*)
FROM report r
JOIN library l ON l.id = r.library_id
JOIN municipality m ON m.id = l.municipality_id
JOIN report_doc d ON d.report_id = r.id, jsonb_each(d.data) e
WHERE m.district_id = %(district)s AND r.year IN (%(year)s, %(year)s - 1) AND r.status = 3
GROUP BY m.id, r.year, e.key
"""

NATIONAL_ROWS = """
SELECT v.indicator_id, sum(v.number), count(v.number), count(*)
FROM report r JOIN value_row v ON v.report_id = r.id
WHERE r.year = %(year)s AND r.status = 3
GROUP BY v.indicator_id
"""

NATIONAL_AGGREGATE = """
SELECT indicator_id, sum(total), sum(reported), sum(expected)
FROM aggregate WHERE year = %(year)s GROUP BY indicator_id
"""

DISTRICT_AGGREGATE = """
SELECT a.municipality_id, a.year, a.indicator_id, a.total, a.reported, a.expected
FROM aggregate a JOIN municipality m ON m.id = a.municipality_id
WHERE m.district_id = %(district)s AND a.year IN (%(year)s, %(year)s - 1)
"""

NATIONAL_DOCS = """
SELECT e.key, sum((e.value #>> '{}')::numeric) FILTER (WHERE jsonb_typeof(e.value) = 'number'),
       count(*) FILTER (WHERE jsonb_typeof(e.value) = 'number'), count(*)
FROM report r JOIN report_doc d ON d.report_id = r.id, jsonb_each(d.data) e
WHERE r.year = %(year)s AND r.status = 3
GROUP BY e.key
"""


def _connect():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    from methodica.embedded_db import (
        create_database,
        ensure_database_url,
        with_database,
    )

    url = ensure_database_url()
    create_database(with_database(url, "postgres"), BENCH_DB)
    import psycopg

    return psycopg.connect(with_database(url, BENCH_DB), autocommit=True)


def _timed(cursor, sql: str, params: dict, runs: int) -> tuple[float, float, int]:
    cursor.execute(sql, params)
    rows = len(cursor.fetchall())
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return (
        statistics.median(timings),
        timings[max(0, int(len(timings) * 0.95) - 1)],
        rows,
    )


def _save_rows(cursor, report_id: int, indicators: int) -> None:
    with cursor.connection.transaction():
        cursor.executemany(
            "INSERT INTO value_row VALUES (%s, %s, %s, NULL) ON CONFLICT (report_id, "
            "indicator_id) DO UPDATE SET number = EXCLUDED.number, mark = NULL",
            [(report_id, i, i * 3.5) for i in range(indicators)],
        )
        cursor.execute(
            "SELECT indicator_id, number FROM value_row WHERE report_id = %s",
            (report_id,),
        )
        cursor.fetchall()


def _save_doc(cursor, report_id: int, indicators: int) -> None:
    from psycopg.types.json import Jsonb

    with cursor.connection.transaction():
        cursor.execute(
            "UPDATE report_doc SET data = %s WHERE report_id = %s",
            (Jsonb({f"i{i}": i * 3.5 for i in range(indicators)}), report_id),
        )
        cursor.execute("SELECT data FROM report_doc WHERE report_id = %s", (report_id,))
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--libraries", type=int, default=36_000)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of a last run"
    )
    args = parser.parse_args()
    last_year = 2025
    params = {
        "libraries": args.libraries,
        "municipalities": max(1, args.libraries // 23),  # 11 a district, ~250 libraries
        "indicators": args.indicators,
        "first_year": last_year - args.years + 1,
        "last_year": last_year,
    }
    with _connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('value_row') IS NOT NULL")
        if not (args.reuse and cursor.fetchone()[0]):
            started = time.perf_counter()
            cursor.execute(SCHEMA)
            for statement in FILL.split(";\n"):
                if statement.strip():
                    cursor.execute(statement % params)
            print(f"generated in {time.perf_counter() - started:.0f} s")
        cursor.execute("SELECT count(*) FROM value_row")
        values = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_total_relation_size('value_row'), "
            "pg_total_relation_size('report_doc')"
        )
        rows_bytes, docs_bytes = cursor.fetchone()
        print(
            f"{args.libraries} libraries, {args.years} years, {args.indicators} indicators: "
            f"{values:,} values"
        )
        print(
            f"size on disk: rows {rows_bytes / 2**20:,.0f} MiB, docs {docs_bytes / 2**20:,.0f} MiB"
        )
        query = {"year": last_year, "district": 1}
        print(f"{'question':48} {'median ms':>10} {'p95 ms':>8} {'rows':>7}")
        for label, sql in (
            ("district, one year + last year, rows", DISTRICT_ROWS),
            ("district, one year + last year, docs", DISTRICT_DOCS),
            ("district, one year + last year, aggregates", DISTRICT_AGGREGATE),
            ("national, one year, rows", NATIONAL_ROWS),
            ("national, one year, docs", NATIONAL_DOCS),
            ("national, one year, aggregates", NATIONAL_AGGREGATE),
        ):
            runs = args.runs if label.startswith("district") else max(3, args.runs // 3)
            median, p95, rows = _timed(cursor, sql, query, runs)
            print(f"{label:48} {median:10.1f} {p95:8.1f} {rows:7d}")
        cursor.execute("SELECT min(id) FROM report WHERE year = %s", (last_year,))
        report_id = cursor.fetchone()[0]
        for label, save in (
            ("save + read one report, rows", _save_rows),
            ("save + read one report, docs", _save_doc),
        ):
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                save(cursor, report_id, args.indicators)
                timings.append((time.perf_counter() - started) * 1000)
            print(f"{label:48} {statistics.median(timings):10.1f} {max(timings):8.1f}")


if __name__ == "__main__":
    main()
