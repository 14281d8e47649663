"""Benchmark: a batch of N rows, from the zip's dry run to the items made.

    DATABASE_URL=postgresql://... .venv/bin/python bench/batch_ingest_bench.py [--rows 200]

Makes a throw-away test database (``test_<name>``, dropped at the end) and a
temporary heritage storage, builds a zip of ``--rows`` small JPEG scans (one per
row, 1240 × 1754 px, about 26 kB) with its metadata.csv, then times
``batches.create_batch`` (the dry run: every member streamed out and inspected) and
``batches.process_batch`` (one transaction per row: the item, its master stored and
read back, audit and preservation events). Page derivatives and OCR are the
worker's next tasks and are not counted (the task backend is a dummy). Prints the
seconds per row of each step and the peak resident memory, which should not grow
with the zip (members are spooled one at a time).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_zip(rows: int) -> bytes:
    from PIL import Image, ImageDraw

    buffer, table = io.BytesIO(), io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["identifier", "kind", "title", "date", "access", "files"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(rows):
            image = Image.new("L", (1240, 1754), 232)
            ImageDraw.Draw(image).text((100, 100 + n % 1500), f"Страница {n}", fill=30)
            scan = io.BytesIO()
            image.save(scan, "JPEG", quality=80)
            archive.writestr(f"scans/b-{n}.jpg", scan.getvalue())
            writer.writerow(
                [
                    f"b-{n}",
                    "document",
                    f"Документ {n}",
                    "1930",
                    "public",
                    f"scans/b-{n}.jpg",
                ]
            )
        archive.writestr("metadata.csv", table.getvalue())
    return buffer.getvalue()


def run(rows: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from methodica.core.permissions import Role
    from methodica.heritage import batches
    from tests.factories import DistrictFactory, UserFactory, member

    district = DistrictFactory()
    actor = member(UserFactory(username="bench-cataloguer"), Role.CATALOGUER, district)
    data = build_zip(rows)
    start = time.perf_counter()
    batch = batches.create_batch(
        actor=actor, district=district, archive=SimpleUploadedFile("b.zip", data)
    )
    checked = time.perf_counter() - start
    assert batch.report["clean"], batch.report["errors"]
    batches.start_batch(actor=actor, batch=batch)
    start = time.perf_counter()
    batches.process_batch(batch.pk)
    made = time.perf_counter() - start
    batch.refresh_from_db()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows {rows}, zip {len(data) / 1024**2:.1f} MiB, status {batch.status}")
    print(f"dry run   {checked:.2f} s ({checked / rows * 1000:.1f} ms a row)")
    print(f"run       {made:.2f} s ({made / rows * 1000:.1f} ms a row)")
    print(f"peak RSS  {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    storage = tempfile.mkdtemp(prefix="methodica-bench-")
    os.environ["METHODICA_HERITAGE_ROOT"] = storage
    os.environ["METHODICA_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("METHODICA_SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
