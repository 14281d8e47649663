"""BagIt export of an item or a collection, made with the ``bagit`` package.

The bag holds, under ``data/``: per item a folder ``<identifier>/`` with the
current masters (``masters/``), ``dc.xml`` (oai_dc), ``metadata.json`` and
``events.json`` (its preservation log). ``bagit`` writes the SHA-256 and
SHA-512 manifests; the zip is built in a temporary folder and streamed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import bagit
from django.conf import settings
from lxml import etree

from methodica.heritage import dublin_core
from methodica.heritage.models import Item, PreservationEvent


def _event_json(event: PreservationEvent) -> dict:
    return {
        "type": event.type,
        "at": event.at.isoformat(),
        "actor": event.actor.get_username() if event.actor else None,
        "file": event.file_id,
        "outcome": event.outcome,
        "detail": event.detail,
    }


def _write_item(item: Item, folder: Path, base_url: str) -> None:
    masters = folder / "masters"
    masters.mkdir(parents=True)
    for master in item.files.filter(replaced_by__isnull=True).order_by("order"):
        name = f"{master.order:05d}{Path(master.file.name).suffix}"
        with (
            master.file.storage.open(master.file.name, "rb") as source,
            open(masters / name, "wb") as target,
        ):
            shutil.copyfileobj(source, target, 1024 * 1024)
    (folder / "dc.xml").write_bytes(
        etree.tostring(
            dublin_core.oai_dc(item, base_url=base_url),
            xml_declaration=True,
            encoding="UTF-8",
            pretty_print=True,
        )
    )
    metadata = {
        "identifier": item.identifier,
        "kind": item.kind,
        "access": item.access,
        "embargo_until": item.embargo_until.isoformat() if item.embargo_until else None,
        "dublin_core": dublin_core.as_json(item, base_url=base_url),
        "files": [
            {
                "order": m.order,
                "original_name": m.original_name,
                "mime_type": m.mime_type,
                "size": m.size,
                "sha256": m.sha256,
                "replaced_by": m.replaced_by_id,
            }
            for m in item.files.order_by("order", "pk")
        ],
    }
    (folder / "metadata.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    events = item.preservation_events.select_related("actor").order_by("at", "pk")
    (folder / "events.json").write_text(
        json.dumps([_event_json(e) for e in events], ensure_ascii=False, indent=2),
        encoding="utf-8",
    )


def write_bag(
    items: Iterable[Item], target: IO[bytes], *, label: str, base_url: str
) -> None:
    """Write a zipped, valid BagIt bag of ``items`` to ``target``."""
    with tempfile.TemporaryDirectory(prefix="methodica-bag-") as temporary:
        root = Path(temporary) / label
        root.mkdir()
        for item in items:
            _write_item(item, root / item.identifier, base_url)
        bagit.make_bag(
            str(root),
            {
                "Source-Organization": settings.SITE_NAME,
                "External-Identifier": label,
                "External-Description": "Local-history items with metadata "
                "(Dublin Core) and their preservation event log.",
            },
            checksums=["sha256", "sha512"],
        )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    zf.write(path, f"{label}/{path.relative_to(root)}")
