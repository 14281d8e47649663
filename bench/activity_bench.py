"""Benchmark: the reach of a big district's year and its activity report.

    .venv/bin/python bench/activity_bench.py [--runs 5]

Seeds (once) a separate database ``methodica_activity_bench`` with one district of
1,000 libraries in 40 municipalities and a year of 3,000 consultations, 300 visits
(600 recommendations) and 2,000 attendances in 60 sessions (about half a minute),
then prints the median time and the number of queries of ``reach.compute`` for the
district and for one municipality, of ``annual_report.build``, and of writing the
DOCX and the PDF.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BENCH_DB = "methodica_activity_bench"
YEAR = 2026


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


def seed() -> None:
    import random
    from decimal import Decimal

    from django.utils import timezone

    from methodica.libraries.models import (
        District,
        Library,
        Municipality,
        Settlement,
        StaffMember,
    )
    from methodica.support.models import Consultation, Recommendation, Topic, Visit
    from methodica.training.models import Course, Enrolment, Programme, Session

    if District.objects.filter(code="ABENCH").exists():
        return
    started = time.perf_counter()
    rng = random.Random(2026)  # noqa: S311 - seeded bench data, not secrets
    district = District.objects.create(code="ABENCH", name="Activity bench")
    muns = Municipality.objects.bulk_create(
        Municipality(district=district, name=f"Община {i}", code=f"AB{i:03d}")
        for i in range(40)
    )
    places = Settlement.objects.bulk_create(
        Settlement(
            municipality=muns[i % 40],
            name=f"Село {i}",
            ekatte=f"9{i:04d}",
            kind="village",
            population=900,
        )
        for i in range(1000)
    )
    libraries = Library.objects.bulk_create(
        Library(
            name=f"НЧ „Просвета – {1870 + i % 90}“ {i}",
            library_type=rng.choice(["chitalishte"] * 8 + ["municipal", "school"]),
            municipality=place.municipality,
            settlement=place,
            chitalishte_number=f"AB-{i}",
        )
        for i, place in enumerate(places)
    )
    staff = StaffMember.objects.bulk_create(
        StaffMember(
            library=libraries[i % 1000], full_name=f"Библиотекар {i}", position="б"
        )
        for i in range(1800)
    )
    topics = Topic.objects.bulk_create(
        Topic(district=district, code=f"t{i}", names={"bg": f"Тема {i}"})
        for i in range(10)
    )

    def day() -> datetime.date:
        return datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))

    Consultation.objects.bulk_create(
        Consultation(
            district=district,
            library=rng.choice(libraries),
            given_on=day(),
            channel=rng.choice(["phone", "email", "social", "on_site", "video"]),
            topic=rng.choice(topics),
            question="Въпрос",
            minutes=rng.choice([5, 10, 20]),
            follow_up=rng.random() < 0.1,
        )
        for _ in range(3000)
    )
    visits = Visit.objects.bulk_create(
        Visit(library=lib, planned_for=d, visited_on=d, status="done")
        for lib, d in ((rng.choice(libraries), day()) for _ in range(300))
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            visit=v,
            library=v.library,
            text="Препоръка",
            due_on=v.visited_on + datetime.timedelta(days=60),
            status="done" if k % 2 else "open",
            closed_on=v.visited_on + datetime.timedelta(days=30) if k % 2 else None,
        )
        for v in visits
        for k in range(2)
    )
    programme = Programme.objects.create(district=district, title="Програма")
    courses = Course.objects.bulk_create(
        Course(programme=programme, title=f"Курс {i}", hours=Decimal(8))
        for i in range(6)
    )
    sessions = []
    for i in range(60):
        starts = timezone.make_aware(datetime.datetime(YEAR, 1 + i % 12, 10, 9))
        sessions.append(
            Session(
                course=courses[i % 6],
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=7),
                trainer="Т",
                capacity=40,
                hours=Decimal(8),
            )
        )
    sessions = Session.objects.bulk_create(sessions)
    rows = []
    for session in sessions:
        for person in rng.sample(staff, 34):
            rows.append(
                Enrolment(
                    session=session, staff=person, status="enrolled", attended=True
                )
            )
    Enrolment.objects.bulk_create(rows[:2000])
    print(f"seeded in {time.perf_counter() - started:.1f} s")


def timed(fn, runs: int) -> tuple[float, int, object]:
    from tests.querycount import count_queries

    times, result, queries = [], None, 0
    for _ in range(runs):
        with count_queries() as counter:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(counter)
    return statistics.median(times), queries, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _use_bench_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    call_command("migrate", "--no-input", "-v", "0")
    seed()
    from methodica.accounts.models import User
    from methodica.activity import annual_report, reach
    from methodica.activity.docx_writer import write_docx
    from methodica.activity.pdf_writer import write_pdf
    from methodica.libraries.models import District

    # The report as a district-wide reader sees it (survey means included).
    reader = User(username="bench-reader", is_superuser=True, is_active=True)
    district = District.objects.get(code="ABENCH")
    area = reach.Area(district)
    period = reach.Period.year(YEAR)
    municipality = reach.Area(district, district.municipalities.order_by("pk").first())
    with translation.override("bg"):
        cases = [
            ("reach, district", lambda: reach.compute(period, area)),
            ("reach, one municipality", lambda: reach.compute(period, municipality)),
            (
                "report content",
                lambda: annual_report.build(period, area, user=reader),
            ),
        ]
        for name, fn in cases:
            ms, queries, result = timed(fn, args.runs)
            print(f"{name:28} {ms:8.1f} ms  {queries:3d} queries")
        figures = result.reach  # type: ignore[attr-defined]
        print(
            f"  consultations {figures.consultations}, visits {figures.visits_made}, "
            f"attendances {figures.participations}, libraries reached "
            f"{figures.libraries_reached}/{figures.active_libraries}"
        )
        content = result
        for name, writer in (("DOCX", write_docx), ("PDF", write_pdf)):
            ms, queries, data = timed(
                lambda w=writer: w(content), max(1, args.runs // 2)
            )
            print(
                f"{'write ' + name:28} {ms:8.1f} ms  {queries:3d} queries  {len(data) // 1024} KiB"
            )  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
