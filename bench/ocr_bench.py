"""Benchmark: OCR throughput of the pipeline against the raw tesseract command.

    .venv/bin/python bench/ocr_bench.py [--pages 40] [--rounds 3] [--seed 5]

Renders ``--pages`` page images of Bulgarian text (half in modern spelling, half in
the pre-1945 orthography with ѣ, ѫ and the final ъ), degraded like a scan: slightly
rotated, blurred and noisy, from a fixed seed. Then, on the same pages in the same
run, alternating so that other load on the machine hits both alike:

(a) the raw ``tesseract <page> stdout -l bul hocr`` command, two at a time, each with
    ``OMP_THREAD_LIMIT=1``;
(b) :func:`methodica.heritage.ocr.run_tesseract` (hOCR parsed by ``parse_hocr``) and
    ``page_text`` in a pool of two processes.

Prints pages per minute for both, the pipeline's overhead, and the character error
rate of (b)'s text against the rendered text, modern and old orthography apart.
No database is used.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FONT = ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf" / "DejaVuSerif.ttf"
SIZE = (1100, 1500)  # about A5 at 180 dpi
WORKERS = 2

MODERN = [
    "Читалище „Надежда“ в село Бяла черква отбеляза сто години от основаването си.",
    "Библиотеката получи дарение от двеста книги за деца и юноши.",
    "Общинският съвет реши да ремонтира покрива на старата сграда.",
    "Учителите и читателите се събраха в салона за годишното събрание.",
    "Вестникът излиза всяка седмица и се продава в цялата околия.",
    "Местните занаятчии показаха своите изделия на панаира през есента.",
    "Краеведският музей пази снимки, писма и ръкописи от миналия век.",
    "Пътят между града и манастира беше поправен с помощта на жителите.",
    "В града се откри ново училище с голяма библиотека и читалня.",
]
OLD = [
    "Читалището „Надежда“ въ село Бѣла черква отбеляза сто години отъ основаването си.",
    "Библиотеката получи дарение отъ двѣста книги за дѣца и юноши.",
    "Общинскиятъ съвѣтъ рѣши да поправи покрива на старата сграда.",
    "Учителитѣ и читателитѣ се събраха въ салона за годишното събрание.",
    "Вѣстникътъ излиза всѣка седмица и се продава въ цѣлата околия.",
    "Мѣстнитѣ занаятчии показаха своитѣ издѣлия на панаира прѣзъ есеньта.",
    "Понеже пѫтьтъ бѣше лошъ, гражданитѣ сѫбраха пари за поправката му.",
    "Въ града се откри ново училище съ голѣма библиотека и читалня.",
]


def _environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    os.environ.setdefault("METHODICA_DEBUG", "0")
    os.environ.setdefault("METHODICA_SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()


def _lines(rng: random.Random, sentences: list[str], font, width: int) -> list[str]:
    words = " ".join(rng.sample(sentences, len(sentences)) * 2).split()
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) > width and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current]


def render_page(path: Path, *, old: bool, seed: int) -> str:
    """Render one degraded page; return the text it shows, one line per line."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)  # noqa: S311 (reproducible pages, not secrets)
    font = ImageFont.truetype(str(FONT), 30)
    lines = _lines(rng, OLD if old else MODERN, font, SIZE[0] - 160)[:26]
    image = Image.new("L", SIZE, 250)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((80, 80 + number * 50), line, font=font, fill=25)
    image = image.rotate(rng.uniform(-0.8, 0.8), resample=Image.BICUBIC, fillcolor=250)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    noise = np.random.default_rng(seed).normal(0, 12, (SIZE[1], SIZE[0]))
    pixels = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255)
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return "\n".join(lines)


def raw_tesseract(path: Path) -> int:
    completed = subprocess.run(
        [
            shutil.which("tesseract") or "tesseract",
            str(path),
            "stdout",
            "-l",
            "bul",
            "hocr",
        ],
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        check=True,
    )
    return len(completed.stdout)


def pipeline_page(path: Path) -> str:
    from methodica.heritage import ocr

    result = ocr.run_tesseract(path, ["bul"], timeout=120)
    return ocr.page_text(result.words)


def _init_worker() -> None:
    _environment()


def run_raw(pages: list[Path]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(raw_tesseract, pages))
    return time.perf_counter() - started


def run_pipeline(pages: list[Path]) -> tuple[float, list[str]]:
    # The pool is started before the clock: a worker process lives for many pages.
    with ProcessPoolExecutor(WORKERS, initializer=_init_worker) as pool:
        list(pool.map(_noop, range(WORKERS)))
        started = time.perf_counter()
        texts = list(pool.map(pipeline_page, pages))
        return time.perf_counter() - started, texts


def _noop(_: int) -> None:
    return None


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


def cer(truth: str, read: str) -> float:
    truth, read = " ".join(truth.split()), " ".join(read.split())
    return levenshtein(truth, read) / max(len(truth), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    _environment()

    with tempfile.TemporaryDirectory(prefix="ocr_bench_") as folder:
        pages, truths, old = [], [], []
        for number in range(args.pages):
            path = Path(folder) / f"page_{number:03}.png"
            is_old = number % 2 == 1
            truths.append(render_page(path, old=is_old, seed=args.seed * 1000 + number))
            pages.append(path)
            old.append(is_old)
        print(f"{args.pages} pages {SIZE[0]}x{SIZE[1]}, {WORKERS} at a time")
        print(f"load average before: {os.getloadavg()[0]:.2f}")

        raw_times, pipe_times, texts = [], [], []
        for number in range(args.rounds):
            # Alternate which goes first, so that a warm cache or a burst of
            # other load does not always favour the same side.
            if number % 2:
                seconds, texts = run_pipeline(pages)
                raw_times.append(run_raw(pages))
            else:
                raw_times.append(run_raw(pages))
                seconds, texts = run_pipeline(pages)
            pipe_times.append(seconds)
            print(
                f"round {number + 1}: raw {raw_times[-1]:.1f} s, "
                f"pipeline {seconds:.1f} s, load {os.getloadavg()[0]:.2f}"
            )
        raw = statistics.median(raw_times)
        pipe = statistics.median(pipe_times)
        print(f"(a) raw tesseract: {60 * args.pages / raw:.1f} pages/min")
        print(f"(b) run_tesseract + parse_hocr: {60 * args.pages / pipe:.1f} pages/min")
        print(f"pipeline overhead: {100 * (pipe - raw) / raw:+.1f}% (median of rounds)")
        for label, flag in (("modern", False), ("old orthography", True)):
            rates = [
                cer(t, r)
                for t, r, o in zip(truths, texts, old, strict=True)
                if o == flag
            ]
            print(
                f"CER {label}: mean {100 * statistics.mean(rates):.2f}%, "
                f"worst {100 * max(rates):.2f}% ({len(rates)} pages)"
            )


if __name__ == "__main__":
    main()
