"""Benchmark: the reporting module's real code paths at a country's scale.

    .venv/bin/python bench/reporting_bench.py            # 36,000 libraries x 15 years x 100
    .venv/bin/python bench/reporting_bench.py --small    # a smoke run, under a minute

Seeds (once: a later run finds it and skips the seed) a database of its own,
``methodica_reporting_bench`` (``..._small`` with ``--small``), on the app's server
(the embedded one unless DATABASE_URL is set) with the shapes of
``reporting_storage_bench.py``: heavy-tailed library sizes (exp(U·4), 1 to ~55) and
district sizes (log-normal), about 3% of values carried as marks (not applicable,
unknown, closed, estimated: an estimate keeps its number), one library in 97 closing
halfway and one in 89 opening later, drafts half filled. Each district has its own
form per year: the default form (ISO 2789 and the Bulgarian annual report) with
detail indicators to about 100, and its rules. Past years are 98% accepted; the last
year is a campaign under way (80% accepted, the rest submitted, returned or drafts).

Then it measures, through the real code, printing the median and the 95th percentile:

a. ``reporting.consolidation.consolidate(campaign)``: one district's year with last
   year beside it (the median-sized district and the largest);
b. the national consolidation of one year: ``_totals``' own query (accepted values by
   municipality and indicator code, marks skipped, with the expected counts) over every
   district's campaign of the year, as the code would run it nationally, and the same
   aggregation in DuckDB over a Parquet export of the same tables, with the ratio;
c. ``reporting.services.save_report`` of one full report (every check it runs);
d. ``reporting.services.import_template`` of 3,000 filled templates (built by
   ``reporting.spreadsheet.build_template``) on 2 worker processes, against raw
   openpyxl parsing of the same files on 2 processes.

Figures are printed; nothing is asserted. See docs/decisions/0004 and 0006.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LAST_YEAR = 2025
EXTRA_INDICATORS = 68  # beside the default form's 32: about 100 a form
FILES_DIR = ROOT / "var" / "bench"


def _use_bench_database(name: str) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    os.environ.setdefault("METHODICA_DEBUG", "0")
    # Templates are signed with the secret: a fixed one keeps saved files valid.
    os.environ.setdefault("METHODICA_SECRET_KEY", "bench-only-secret-key")
    os.environ["METHODICA_ALLOWED_HOSTS"] = "testserver"
    from methodica.embedded_db import (
        create_database,
        ensure_database_url,
        with_database,
    )

    url = ensure_database_url()
    create_database(with_database(url, "postgres"), name)
    os.environ["DATABASE_URL"] = with_database(url, name)
    return os.environ["DATABASE_URL"]


# --- the seed ---------------------------------------------------------------------


def _done(cursor: Any, step: str) -> bool:
    cursor.execute("SELECT 1 FROM bench_seed WHERE step = %s", [step])
    return cursor.fetchone() is not None


def _mark_done(cursor: Any, step: str) -> None:
    cursor.execute("INSERT INTO bench_seed (step) VALUES (%s)", [step])


def _seed_register(libraries: int, rng: random.Random) -> None:
    """Districts of log-normal sizes, ~23 libraries a municipality, sizes heavy-tailed."""
    from django.db import connection

    from methodica.accounts.models import Membership, User
    from methodica.core.permissions import Role
    from methodica.libraries.models import District, Library, Municipality, Settlement

    districts = max(2, libraries // 300)
    weights = [rng.lognormvariate(0, 0.6) for _ in range(districts)]
    sizes = [max(20, round(libraries * w / sum(weights))) for w in weights]
    sizes[0] += libraries - sum(sizes)  # exactly ``libraries`` in all
    made = District.objects.bulk_create(
        District(name=f"Област {d:03d}", code=f"D{d:03d}") for d in range(districts)
    )
    municipality_of: list[Municipality] = []
    places = []
    for district, size in zip(made, sizes, strict=True):
        count = max(2, round(size / 23))
        places.append(
            Municipality.objects.bulk_create(
                Municipality(
                    district=district,
                    name=f"Община {district.code}-{m:02d}",
                    code=f"{district.code}{m:02d}",
                )
                for m in range(count)
            )
        )
    for municipalities, size in zip(places, sizes, strict=True):
        # heavy-tailed too: a town's municipality holds many more libraries
        mweights = [rng.paretovariate(1.5) for _ in municipalities]
        municipality_of += rng.choices(municipalities, weights=mweights, k=size)
    flat = [m for ms in places for m in ms]
    settlements = {
        s.municipality_id: s
        for s in Settlement.objects.bulk_create(
            Settlement(
                municipality=m, name=f"Село {m.code}", ekatte=f"{n:05d}", kind="village"
            )
            for n, m in enumerate(flat)
        )
    }
    Library.objects.bulk_create(
        (
            Library(
                name=f"НЧ „Бенч – {i}“",
                library_type=rng.choice(["chitalishte"] * 8 + ["municipal", "school"]),
                municipality=municipality,
                settlement=settlements[municipality.pk],
                status=Library.Status.CLOSED if i % 97 == 0 else Library.Status.ACTIVE,
            )
            for i, municipality in enumerate(municipality_of)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_library (library_id bigint PRIMARY KEY, size real,"
            " first_year int, last_year int)"
        )
        # Sizes exp(U·4): 1 to ~55, as in reporting_storage_bench.py; one in 97
        # closes halfway (its status says so), one in 89 opens later.
        cursor.execute(
            "INSERT INTO bench_library SELECT id, exp(random() * 4),"
            " CASE WHEN row_number() OVER (ORDER BY id) %% 89 = 0 THEN %s ELSE 0 END,"
            " CASE WHEN status = 'closed' THEN %s ELSE 9999 END"
            " FROM libraries_library",
            [LAST_YEAR - 4, LAST_YEAR - 7],
        )
    methodologist = User.objects.create_user(
        "bench-methodologist",
        password="x",  # noqa: S106 - a bench database's account
    )
    Membership.objects.bulk_create(
        Membership(user=methodologist, role=Role.METHODOLOGIST, district=district)
        for district in made
    )


def _detail_rows() -> list[tuple[str, str, str, str, str, str, bool]]:
    return [
        (
            f"detail_{k:02d}",
            f"Подробност {k}",
            f"Подробность {k}",
            f"Detail {k}",
            "items",
            "integer",
            False,
        )
        for k in range(EXTRA_INDICATORS)
    ]


def _seed_forms(years: int) -> None:
    """Each district's form for each year: the default one plus detail indicators."""
    from methodica.libraries.models import District
    from methodica.reporting import default_form
    from methodica.reporting.models import Campaign, Indicator, Rule, Section

    deadline = datetime.date(2099, 1, 31)
    for district in District.objects.order_by("pk"):
        for year in range(LAST_YEAR - years + 1, LAST_YEAR + 1):
            form = default_form.build(district=district, year=year)
            section = Section.objects.create(
                form=form,
                code="detail",
                names={"bg": "Подробно", "ru": "Подробно", "en": "Detail"},
                position=99,
            )
            Indicator.objects.bulk_create(
                Indicator(
                    form=form,
                    section=section,
                    code=code,
                    names={"bg": bg, "ru": ru, "en": en},
                    unit=unit,
                    value_type=kind,
                    required=required,
                    position=position,
                )
                for position, (code, bg, ru, en, unit, kind, required) in enumerate(
                    _detail_rows()
                )
            )
            Rule.objects.bulk_create(  # a subset rule per ten details
                Rule(
                    form=form,
                    code=f"detail_{k:02d}_within_loans",
                    expression=f"detail_{k:02d} <= loans_total",
                    severity="hard",
                    messages={"en": "A detail cannot exceed the loans."},
                )
                for k in range(0, EXTRA_INDICATORS, 10)
            )
            Campaign.objects.create(
                form=form,
                deadline=deadline,
                state="open" if year == LAST_YEAR else "closed",
            )


# The default form's values for a library of size 1 (tests/report_data.GOOD / 5);
# details get their position + 1.
BASE = {
    "population_served": 170,
    "users_total": 42,
    "users_children": 12,
    "visits_physical": 480,
    "visits_virtual": 60,
    "loans_total": 1040,
    "loans_children": 300,
    "loans_books": 940,
    "loans_periodicals": 80,
    "loans_other": 20,
    "collection_start": 2400,
    "collection_end": 2420,
    "collection_books": 2300,
    "collection_periodicals": 100,
    "collection_other": 20,
    "collection_local_history": 60,
    "acquired_total": 30,
    "acquired_purchase": 18,
    "acquired_donation": 12,
    "withdrawn": 10,
    "hours_per_week": 6,
    "computers_users": 0.4,
    "internet_users": 1,
    "events_count": 5,
    "events_attendance": 180,
    "staff_fte": 0.2,
    "staff_qualified_fte": 0.05,
    "income_total": 4200,
    "expenditure_total": 4100,
    "expenditure_staff": 3400,
    "expenditure_acquisitions": 500,
    "expenditure_other": 200,
}

REPORTS_SQL = """
INSERT INTO reporting_report (campaign_id, library_id, status, revision, completeness,
    submitted_at, accepted_at, updated_at)
SELECT campaign_id, library_id, status, 1,
       CASE WHEN status = 'draft' THEN 50 ELSE 100 END,
       CASE WHEN status <> 'draft' THEN now() END,
       CASE WHEN status = 'accepted' THEN now() END, now()
FROM (
    SELECT campaign_id, library_id, CASE
        WHEN year < %(last)s THEN CASE WHEN u < 0.98 THEN 'accepted' ELSE 'draft' END
        WHEN u < 0.80 THEN 'accepted' WHEN u < 0.86 THEN 'submitted'
        WHEN u < 0.90 THEN 'returned' ELSE 'draft' END AS status
    FROM (
        SELECT c.id AS campaign_id, l.id AS library_id, f.year, random() AS u
        FROM reporting_campaign c
        JOIN reporting_reportform f ON f.id = c.form_id
        JOIN libraries_municipality m ON m.district_id = f.district_id
        JOIN libraries_library l ON l.municipality_id = m.id
        JOIN bench_library b ON b.library_id = l.id
        WHERE f.year = %(year)s AND f.year >= b.first_year AND f.year <= b.last_year
        ORDER BY l.id
    ) drawn
) statuses
"""

# One row per value; a draft answers about half; ~3% marks (an estimate keeps its
# number, the others carry none), as reporting_storage_bench.py does.
VALUES_SQL = """
INSERT INTO reporting_reportvalue (report_id, indicator_id, number, text, mark)
SELECT report_id, indicator_id,
       CASE WHEN mark NOT IN ('', 'estimated') THEN NULL
            WHEN value_type = 'boolean' THEN 1
            ELSE round((size * base * (0.8 + random() * 0.4))::numeric,
                       CASE WHEN value_type = 'decimal' THEN 2 ELSE 0 END)
       END,
       '', mark
FROM (
    SELECT report_id, indicator_id, size, base, value_type, CASE
        WHEN u < 0.97 THEN '' WHEN u < 0.9775 THEN 'na' WHEN u < 0.985 THEN 'unknown'
        WHEN u < 0.9925 THEN 'closed' ELSE 'estimated' END AS mark
    FROM (
        SELECT r.id AS report_id, i.id AS indicator_id, b.size, i.value_type,
               coalesce((%(base)s::jsonb ->> i.code)::numeric, i.position + 1) AS base,
               r.status, random() AS u, random() AS answered
        FROM reporting_report r
        JOIN reporting_campaign c ON c.id = r.campaign_id
        JOIN reporting_reportform f ON f.id = c.form_id
        JOIN bench_library b ON b.library_id = r.library_id
        JOIN reporting_indicator i ON i.form_id = f.id
        WHERE f.year = %(year)s
        ORDER BY r.id, i.id
    ) drawn
    WHERE status <> 'draft' OR answered < 0.5
) marked
"""


def seed(*, libraries: int, years: int) -> None:
    """Seed once; every step is recorded, so an interrupted seed resumes."""
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed (step text PRIMARY KEY,"
            " done_at timestamptz DEFAULT now())"
        )
        if _done(cursor, "analyzed"):
            return
        started = time.perf_counter()
        if not _done(cursor, "register"):
            _seed_register(libraries, random.Random(36000))  # noqa: S311 - test data
            _mark_done(cursor, "register")
            print(
                f"register seeded ({time.perf_counter() - started:.0f} s)", flush=True
            )
        if not _done(cursor, "forms"):
            _seed_forms(years)
            _mark_done(cursor, "forms")
            print(f"forms seeded ({time.perf_counter() - started:.0f} s)", flush=True)
        # Constraint triggers (the deferred foreign keys) are off for the bulk
        # insert: the rows are consistent by construction, and 54 million deferred
        # checks would hold the insert for long.
        cursor.execute("SET session_replication_role = replica")
        for year in range(LAST_YEAR - years + 1, LAST_YEAR + 1):
            step = f"year {year}"
            if _done(cursor, step):
                continue
            with connection.cursor() as inner:
                inner.execute("BEGIN")
                inner.execute(REPORTS_SQL, {"year": year, "last": LAST_YEAR})
                inner.execute(VALUES_SQL, {"year": year, "base": json.dumps(BASE)})
                _mark_done(inner, step)
                inner.execute("COMMIT")
            print(f"{step} seeded ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE")
        _mark_done(cursor, "analyzed")
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


# --- measuring --------------------------------------------------------------------


def timed(function: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median and p95 in ms of ``runs`` calls after one warm-up; the last result."""
    result = function()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - started) * 1000)
    return (*_median_p95(timings), result)


def _median_p95(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * 0.95) - 1)]


def _queries(function: Callable[[], Any]) -> int:
    from django.db import connection

    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        function()
    return len(statements)


def _line(label: str, median: float, p95: float, extra: str = "") -> None:
    print(f"{label:58} {median:10.1f} {p95:9.1f}  {extra}", flush=True)


def measure_district(runs: int) -> None:
    from django.db.models import Count

    from methodica.reporting.consolidation import consolidate, district_series
    from methodica.reporting.models import Campaign

    campaigns = list(
        Campaign.objects.filter(form__year=LAST_YEAR)
        .annotate(report_count=Count("reports"))
        .select_related("form__district")
        .order_by("report_count")
    )
    for label, campaign in (
        ("median", campaigns[len(campaigns) // 2]),
        ("largest", campaigns[-1]),
    ):
        queries = _queries(lambda c=campaign: consolidate(c))
        median, p95, result = timed(lambda c=campaign: consolidate(c), runs)
        _line(
            f"a. district consolidation, {label} district",
            median,
            p95,
            f"{campaign.report_count} reports, {result.reports_accepted} accepted, "
            f"{queries} queries",
        )
    # Not a target: the time series the consolidation page draws beside the totals.
    campaign = campaigns[len(campaigns) // 2]
    median, p95, series = timed(
        lambda: district_series(campaign.form.district_id), max(3, runs // 3)
    )
    _line(
        "a. (the page's time series, district_series, median)",
        median,
        p95,
        f"{len(series)} indicators x {len(next(iter(series.values()), []))} years",
    )


# The national consolidation groups as the district one does, one level up: by
# district (a district's by municipality); ``PLACES`` also measures it by municipality.
PLACES = {
    "district": ("report__campaign__form__district_id", "campaign__form__district_id"),
    "municipality": ("report__library__municipality_id", "library__municipality_id"),
}


def national_totals(year: int, by: str = "district") -> tuple[dict, dict, int]:
    """``consolidation._totals`` for the whole country: the same query and the same
    summing, over every district's campaign of ``year`` instead of one, by ``by``."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db.models import Count, Sum

    from methodica.reporting.consolidation import COUNTED, REPORTED, Total
    from methodica.reporting.models import Indicator, Report, ReportValue

    value_place, report_place = PLACES[by]
    expected: dict[Any, int] = dict(
        Report.objects.filter(campaign__form__year=year)
        .values_list(report_place)
        .annotate(count=Count("id"))
        .values_list(report_place, "count")
    )
    codes = dict(
        Indicator.objects.filter(form__year=year).order_by().values_list("id", "code")
    )
    rows = (
        ReportValue.objects.filter(
            COUNTED,
            report__campaign__form__year=year,
            report__status=Report.Status.ACCEPTED,
        )
        .values_list(value_place, "indicator_id")
        .annotate(total=Sum("number"), reported=REPORTED)
    )
    totals: dict[Any, dict[str, Total]] = defaultdict(dict)
    nation: dict[str, Total] = defaultdict(Total)
    for place, indicator_id, total, reported in rows:
        code = codes[indicator_id]
        totals[place][code] = Total(total, reported, expected.get(place, 0))
        nation[code].value = (nation[code].value or Decimal(0)) + total
        nation[code].reported += reported
    expected[None] = sum(expected.values())
    for entry in nation.values():
        entry.expected = expected[None]
    totals[None] = dict(nation)
    return dict(totals), expected, len(rows)


DUCK_QUERY = """
SELECT {place}, i.code, sum(v.number) AS total, count(*) AS reported
FROM reportvalue v
JOIN report r ON r.id = v.report_id
JOIN campaign c ON c.id = r.campaign_id
JOIN reportform f ON f.id = c.form_id
JOIN library l ON l.id = r.library_id
JOIN indicator i ON i.id = v.indicator_id
WHERE f.year = $year AND r.status = 'accepted'
  AND v.mark IN ('', 'estimated') AND v.number IS NOT NULL
GROUP BY 1, 2
"""
DUCK_PLACES = {"district": "f.district_id", "municipality": "l.municipality_id"}

EXPORTS = {
    "reportvalue": "SELECT report_id, indicator_id, number, mark FROM reporting_reportvalue",
    "report": "SELECT id, campaign_id, library_id, status FROM reporting_report",
    "campaign": "SELECT id, form_id FROM reporting_campaign",
    "reportform": "SELECT id, year, district_id FROM reporting_reportform",
    "library": "SELECT id, municipality_id FROM libraries_library",
    "indicator": "SELECT id, code FROM reporting_indicator",
}


def export_parquet(folder: Path) -> float:
    """COPY each table out as CSV, then into Parquet with DuckDB (once)."""
    import duckdb
    from django.db import connection

    folder.mkdir(parents=True, exist_ok=True)
    if all((folder / f"{name}.parquet").exists() for name in EXPORTS):
        return 0.0
    started = time.perf_counter()
    duck = duckdb.connect()
    # exact decimals, as in PostgreSQL, so that the totals can be compared
    types = {"reportvalue": ", types={'number': 'DECIMAL(14, 2)'}"}
    for name, sql in EXPORTS.items():
        csv_path = folder / f"{name}.csv"
        with (
            connection.cursor() as cursor,
            csv_path.open("wb") as out,
            cursor.connection.cursor().copy(
                f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
            ) as copy,
        ):
            for chunk in copy:
                out.write(chunk)
        # PostgreSQL writes an empty string as "" and NULL as nothing: keep them apart
        options = "header=true, allow_quoted_nulls=false" + types.get(name, "")
        duck.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path}', {options})) "  # noqa: S608 - our paths
            f"TO '{folder / name}.parquet' (FORMAT parquet)"
        )
        csv_path.unlink()
    return time.perf_counter() - started


def measure_national(runs: int, folder: Path) -> None:
    import duckdb
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]
    exported = export_parquet(folder)
    if exported:
        print(f"   (exported to Parquet in {exported:.0f} s: {folder})", flush=True)
    duck = duckdb.connect(config={"threads": 2})
    for name in EXPORTS:
        duck.execute(
            f"CREATE VIEW {name} AS SELECT * FROM "  # noqa: S608 - our names
            f"read_parquet('{folder / name}.parquet')"
        )
    for by in PLACES:
        queries = _queries(lambda by=by: national_totals(LAST_YEAR, by))
        median, p95, (totals, expected, rows) = timed(
            lambda by=by: national_totals(LAST_YEAR, by), runs
        )
        _line(
            f"b. national consolidation by {by}, PostgreSQL (ORM)",
            median,
            p95,
            f"{rows} totals, {expected[None]} reports expected, {queries} queries",
        )
        sql = DUCK_QUERY.format(place=DUCK_PLACES[by])
        d_median, d_p95, d_rows = timed(
            lambda sql=sql: duck.execute(sql, {"year": LAST_YEAR}).fetchall(), runs
        )
        same = len(d_rows) == rows and all(
            totals[place][code].value == total
            and totals[place][code].reported == reported
            for place, code, total, reported in d_rows
        )
        _line(
            f"b. national consolidation by {by}, DuckDB (Parquet)",
            d_median,
            d_p95,
            f"{len(d_rows)} totals, {'the same' if same else 'NOT THE SAME'}; "
            f"PostgreSQL / DuckDB = {median / d_median:.1f}x "
            f"(DuckDB 2 threads, PostgreSQL {workers} parallel workers)",
        )


def _cells_for(size: float, shift: int = 0) -> dict[str, tuple[str, str]]:
    """A consistent year of a library of ``size`` (every hard rule holds); ``shift``
    changes the three first detail cells only, as an autosave after a few edits."""
    from tests.report_data import GOOD

    scale = max(1, round(size))
    cells = {}
    for code, text in GOOD.items():
        if text in ("да", "не") or code == "hours_per_week":
            cells[code] = (text, "")
        else:
            number = float(text) * scale
            cells[code] = (f"{number:.0f}" if number.is_integer() else f"{number}", "")
    loans = int(float(cells["loans_total"][0]))
    for k in range(EXTRA_INDICATORS):
        cells[f"detail_{k:02d}"] = (str(min(loans, (k + 1) * scale)), "")
    for k in range(3):
        cells[f"detail_{k:02d}"] = (str(min(loans, (k + 1) * scale + shift)), "")
    return cells


def _scaled(cells: dict[str, tuple[str, str]], factor: float) -> dict:
    """Every number of ``cells`` times ``factor``: a save that changes every value."""
    scaled = {}
    for code, (text, mark) in cells.items():
        try:
            scaled[code] = (str(round(float(text) * factor)), mark)
        except ValueError:
            scaled[code] = (text, mark)
    return scaled


def measure_save(runs: int) -> None:
    from django.db import connection

    from methodica.accounts.models import User
    from methodica.reporting import services
    from methodica.reporting.models import Report

    report = (
        Report.objects.filter(campaign__form__year=LAST_YEAR, status="draft")
        .order_by("-pk")
        .first()
    )
    assert report is not None
    actor = User.objects.get(username="bench-methodologist")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT size FROM bench_library WHERE library_id = %s", [report.library_id]
        )
        size = cursor.fetchone()[0]
    counter = iter(range(1, 10_000))

    def save(cells: dict[str, tuple[str, str]]) -> list:
        fresh = Report.objects.get(pk=report.pk)
        _saved, findings, errors = services.save_report(
            report=fresh, actor=actor, cells=cells, revision=fresh.revision
        )
        assert not errors, errors
        return findings

    for label, cells_now in (
        # an autosave: every cell sent, three changed since the last save
        (
            "c. save_report: ~100 cells sent, 3 changed, every check",
            lambda: _cells_for(size, next(counter) % 7),
        ),
        # every value changed (a template upload or a first full save)
        (
            "c. save_report: ~100 cells sent, all changed, every check",
            lambda: _scaled(_cells_for(size), 1 + next(counter) % 2 / 10),
        ),
    ):
        median, p95, findings = timed(lambda c=cells_now: save(c()), runs)
        queries = _queries(lambda c=cells_now: save(c()))
        _line(label, median, p95, f"{len(findings)} findings, {queries} queries")


# --- templates: build, then import on 2 processes ----------------------------------


def _build_templates(folder: Path, count: int) -> list[Path]:
    """``count`` filled templates of last year's drafts, each with a full year."""
    from django.db import connection, transaction

    from methodica.accounts.models import User
    from methodica.reporting import services
    from methodica.reporting.models import Report
    from methodica.reporting.spreadsheet import build_template

    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob("*.xlsx"))
    if len(existing) >= count:
        return existing[:count]
    actor = User.objects.get(username="bench-methodologist")
    reports = list(
        Report.objects.filter(campaign__form__year=LAST_YEAR, status="draft")
        .select_related(
            "campaign__form", "library__municipality", "library__settlement"
        )
        .order_by("pk")[:count]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT library_id, size FROM bench_library WHERE library_id = ANY(%s)",
            [[r.library_id for r in reports]],
        )
        sizes = dict(cursor.fetchall())
    started = time.perf_counter()
    paths = []
    for report in reports:
        # Fill the report, build its template (now filled), then undo the fill, so
        # that importing the file saves a whole year into a half-filled draft.
        with transaction.atomic():
            saved, _f, _e = services.save_report(
                report=report,
                actor=actor,
                cells=_cells_for(sizes[report.library_id], 0),
                revision=report.revision,
            )
            data = build_template(saved)
            transaction.set_rollback(True)
        path = folder / f"report-{report.pk}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    took = time.perf_counter() - started
    print(
        f"   (built {len(paths)} templates with build_template in {took:.0f} s,"
        f" {len(paths) / took:.0f} files/s on 1 process)",
        flush=True,
    )
    return paths


def _import_worker(paths: list[str]) -> list[float]:
    import django

    django.setup()
    from methodica.accounts.models import User
    from methodica.reporting import services

    actor = User.objects.get(username="bench-methodologist")
    timings = []
    for path in paths:
        data = Path(path).read_bytes()
        started = time.perf_counter()
        services.import_template(actor=actor, data=data)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _parse_worker(paths: list[str]) -> list[float]:
    import io

    import openpyxl

    timings = []
    for path in paths:
        data = Path(path).read_bytes()
        started = time.perf_counter()
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
        for sheet in workbook.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass
        workbook.close()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _on_processes(worker: Callable, paths: list[Path], processes: int) -> tuple:
    import multiprocessing

    from django.db import connections

    connections.close_all()  # the children open their own
    chunks = [[str(p) for p in paths[i::processes]] for i in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        timings = [t for part in pool.map(worker, chunks) for t in part]
    took = time.perf_counter() - started
    return len(paths) / took, _median_p95(timings)


def _half_empty(paths: list[Path]) -> None:
    """Take about half the answers out of the templates' reports again, so that every
    run imports a whole year into half-filled drafts, as the first one did."""
    from django.db import connection

    ids = [int(path.stem.rsplit("-", 1)[1]) for path in paths]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM reporting_reportvalue WHERE report_id = ANY(%s)"
            " AND random() < 0.5",
            [ids],
        )


def measure_import(count: int, folder: Path, processes: int = 2) -> None:
    paths = _build_templates(folder, count)
    _half_empty(paths)
    rate, (median, p95) = _on_processes(_parse_worker, paths, processes)
    _line(
        f"d. raw openpyxl parse of {len(paths)} templates, a file",
        median,
        p95,
        f"{rate:.0f} files/s on {processes} processes",
    )
    import_rate, (median, p95) = _on_processes(_import_worker, paths, processes)
    _line(
        f"d. import_template of {len(paths)} templates, a file",
        median,
        p95,
        f"{import_rate:.0f} files/s on {processes} processes "
        f"({rate / import_rate:.1f}x slower than parsing alone)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a smoke run")
    parser.add_argument("--libraries", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument("--templates", type=int)
    parser.add_argument("--runs", type=int)
    parser.add_argument(
        "--only", default="abcd", help="which measurements, e.g. --only ab"
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed the database and stop"
    )
    args = parser.parse_args()
    small = args.small
    libraries = args.libraries or (600 if small else 36_000)
    years = args.years or (3 if small else 15)
    templates = args.templates or (40 if small else 3_000)
    runs = args.runs or (5 if small else 15)
    name = "methodica_reporting_bench" + ("_small" if small else "")
    if args.libraries or args.years:
        name += f"_{libraries}_{years}"
    _use_bench_database(name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--no-input", "-v", "0")
    seed(libraries=libraries, years=years)
    if args.seed_only:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('reporting_reportvalue')),"
            " pg_size_pretty(pg_database_size(current_database()))"
            " FROM reporting_reportvalue"
        )
        values, table_size, database_size = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM reporting_report")
        reports = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM libraries_district")
        districts = cursor.fetchone()[0]
        print(
            f"\n{name}: {libraries:,} libraries in {districts} districts, {years} years, "
            f"{reports:,} reports, {values:,} values (values table {table_size}, "
            f"database {database_size}); {runs} runs a case"
        )
        cursor.execute(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'),"
            " current_setting('work_mem'), current_setting('random_page_cost'),"
            " current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
        )
        version, buffers, work_mem, page_cost, jit, workers = cursor.fetchone()
    print(
        f"PostgreSQL {version}: shared_buffers {buffers}, work_mem {work_mem}, "
        f"random_page_cost {page_cost}, jit {jit}, {workers} parallel workers; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'case':58} {'median ms':>10} {'p95 ms':>9}")
    folder = FILES_DIR / name
    if "a" in args.only:
        measure_district(runs)
    if "b" in args.only:
        measure_national(max(3, runs // 3), folder / "parquet")
    if "c" in args.only:
        measure_save(runs * 2)
    if "d" in args.only:
        measure_import(templates, folder / "templates")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
