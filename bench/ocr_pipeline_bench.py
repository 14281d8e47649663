"""Benchmark: the whole worker path of a page against the raw tesseract command.

    DATABASE_URL=postgresql://... .venv/bin/python bench/ocr_pipeline_bench.py [--pages 10]

Makes a throw-away test database (``test_<name>``, dropped at the end) and a
temporary heritage storage, uploads ``--pages`` rendered Bulgarian page images
through ``services.add_master_file``, makes their pages and derivatives, then on
the same page images, one page at a time, alternating which goes first:

(a) raw ``tesseract page.jpg stdout -l bul hocr`` with ``OMP_THREAD_LIMIT=1``;
(b) ``ocr_pipeline.read_page``: the storage read, Tesseract, hOCR parsing, the
    near-empty check, the page save, the revision and the ``page_text_changed``
    signal (which re-indexes the page when the search module is installed).

Prints seconds per page for each, the pipeline's overhead, and the derivative step's
time per page. One process: the overhead per page is what one worker per core adds.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LINES = [
    "Читалището в нашия град пази старите вестници",
    "и книгите на местните автори от миналия век.",
    "В библиотеката се съхраняват ръкописи, снимки",
    "и карти на околните села и на пътищата към тях.",
] * 5


def page_png(seed: int) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font_path = ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf" / "DejaVuSerif.ttf"
    image = Image.new("RGB", (1100, 1500), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path), 30)
    for row, line in enumerate(LINES[seed % 4 :] + LINES[: seed % 4]):
        draw.text((60, 60 + row * 64), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10)
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
        run(args.pages)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(storage, ignore_errors=True)


def run(count: int) -> None:
    from methodica.heritage import services
    from methodica.heritage.derivatives import make_derivatives
    from methodica.heritage.models import Page
    from methodica.heritage.ocr_pipeline import read_page
    from methodica.heritage.pages import make_pages
    from tests.factories import DistrictFactory, UserFactory

    actor = UserFactory(username="bench", is_superuser=True)
    item = services.create_item(
        actor=actor,
        district=DistrictFactory(),
        identifier="bench-item",
        values={"kind": "book", "title": "Bench", "languages": ["bul"]},
    )
    derivative_seconds, page_ids = [], []
    for number in range(count):
        master = services.add_master_file(
            actor=actor, item=item, stream=io.BytesIO(page_png(number)), name="p.png"
        )
        [page_id] = make_pages(master.pk)
        started = time.perf_counter()
        make_derivatives(page_id)
        derivative_seconds.append(time.perf_counter() - started)
        page_ids.append(page_id)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    raw, pipeline = [], []
    with tempfile.TemporaryDirectory() as folder:
        for index, page_id in enumerate(page_ids):
            page = Page.objects.get(pk=page_id)
            path = Path(folder) / f"{page_id}.jpg"
            with page.image.storage.open(page.image.name, "rb") as stored:
                path.write_bytes(stored.read())
            command = ["tesseract", str(path), "stdout", "-l", "bul", "hocr"]

            def raw_run(command=command) -> None:
                subprocess.run(command, capture_output=True, check=True, env=env)

            def pipeline_run(page_id=page_id) -> None:
                assert read_page(page_id, force=True) == Page.Status.DONE

            order = [(raw_run, raw), (pipeline_run, pipeline)]
            for action, times in order if index % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                action()
                times.append(time.perf_counter() - started)
    raw_median, pipe_median = statistics.median(raw), statistics.median(pipeline)
    print(f"pages: {count} (1100×1500, 20 lines of DejaVu Serif 30 px)")
    print(f"derivatives: median {statistics.median(derivative_seconds):.3f} s/page")
    print(f"(a) raw tesseract: median {raw_median:.3f} s/page")
    print(f"(b) read_page:     median {pipe_median:.3f} s/page")
    print(f"pipeline overhead: {100 * (pipe_median - raw_median) / raw_median:+.1f}%")


if __name__ == "__main__":
    main()
