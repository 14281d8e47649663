"""The demo collection: loaded with the demo district, twice without duplicates,
with the kinds and access levels the walkthrough needs; its scans read by Tesseract."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.db.models import Count
from django.utils import timezone

from methodica.heritage import demo
from methodica.heritage.models import (
    Authority,
    Collection,
    Item,
    MasterFile,
    PreservationEvent,
    Title,
)
from methodica.libraries import demo as libraries_demo
from methodica.libraries.demo import load as demo_load
from methodica.libraries.models import District

# Measured on the demo's own pages with Debian's "fast" bul model: 0.0 on the
# modern 1956 front page, about 3% on the 1912 one (no ѣ or ѫ in the model).
MODERN_CER_LIMIT = 0.02
OLD_CER_LIMIT = 0.10


@pytest.fixture
def only_heritage(monkeypatch):
    """The register's demo with the local-history extension alone (fast)."""
    monkeypatch.setattr(demo_load, "DEMO_EXTENSIONS", [demo.load_demo_heritage])


def test_the_demo_collection_loads_twice_without_duplicates(db, only_heritage):
    libraries_demo.load_demo_district()
    district = District.objects.get()
    counts = (Item.objects.count(), MasterFile.objects.count())
    assert counts == (9, 16)

    libraries_demo.load_demo_district()

    assert (Item.objects.count(), MasterFile.objects.count()) == counts
    assert Collection.objects.count() == 4
    assert Title.objects.get().place.name == "Стара Загора"
    assert Authority.objects.get(name="Гео Милев").variants
    kinds = dict(Item.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    assert kinds == {"newspaper_issue": 4, "manuscript": 1, "photograph": 4}
    issues = Item.objects.filter(kind="newspaper_issue", newspaper__name=demo.NEWSPAPER)
    assert sorted(issue.files.count() for issue in issues) == [2, 2, 3, 3]
    manuscript = Item.objects.get(kind="manuscript")
    assert manuscript.access == Item.Access.STAFF_ONLY
    assert manuscript.files.count() == 2
    photos = Item.objects.filter(kind="photograph")
    assert photos.filter(access=Item.Access.READING_ROOM).count() == 1
    embargoed = photos.get(embargo_until__isnull=False)
    assert embargoed.embargo_until > timezone.localdate()
    assert all(i.district_id == district.pk and i.published for i in Item.objects.all())
    series = Collection.objects.get(set_spec="mesten-pechat")
    assert series.parent.title == "Краеведска колекция"
    assert series.items.count() == 4
    assert PreservationEvent.objects.filter(type="ingest").count() == 16
    assert sum(master.size for master in MasterFile.objects.all()) < 15 * 1024**2


def test_the_demo_scans_are_deterministic_and_hold_old_orthography():
    first = demo.scan_for("szn-1912-10-05", 1)
    assert first.jpeg == demo.scan_for("szn-1912-10-05", 1).jpeg
    assert re.search("[ѣѫ]", first.text) and re.search(r"ъ\b", first.text)
    assert not re.search("[ѣѫ]", demo.scan_for("szn-1956-05-24", 1).text)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cer(truth: str, read: str) -> float:
    """Character error rate: edit distance over the truth's length."""
    a, b = _normal(truth), _normal(read)
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char != other),
                )
            )
        previous = current
    return previous[-1] / max(len(a), 1)


def _tesseract(path) -> str:
    completed = subprocess.run(
        [shutil.which("tesseract") or "tesseract", str(path), "stdout", "-l", "bul"],
        capture_output=True,
        check=True,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/usr/local/bin"},
    )
    return completed.stdout.decode("utf-8")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract")
def test_tesseract_reads_a_modern_demo_page_almost_without_errors(tmp_path):
    modern = demo.scan_for("szn-1956-05-24", 1)
    (tmp_path / "modern.jpg").write_bytes(modern.jpeg)
    modern_cer = cer(modern.text, _tesseract(tmp_path / "modern.jpg"))
    old = demo.scan_for("szn-1912-10-05", 1)
    (tmp_path / "old.jpg").write_bytes(old.jpeg)
    old_cer = cer(old.text, _tesseract(tmp_path / "old.jpg"))
    print(f"CER modern {modern_cer:.4f}, pre-1945 orthography {old_cer:.4f}")
    assert modern_cer < MODERN_CER_LIMIT
    assert old_cer < OLD_CER_LIMIT
