"""BagIt export of an item or a collection, made with the ``bagit`` package.

The bag holds, under ``data/``: per item a folder ``<identifier>/`` with the
current masters (``masters/``), ``dc.xml`` (oai_dc), ``metadata.json`` and
``events.json`` (its preservation log). ``bagit`` writes the SHA-256 and
SHA-512 manifests; the zip is built in a temporary folder and streamed.

Each master is hashed while it is copied: one that no longer matches its
recorded SHA-256 is logged as a fixity failure and the export is refused, so
that a damaged file never leaves as part of a valid bag. The bag is built
during the request, so its masters may total at most
``METHODICA_HERITAGE_MAX_BAG_BYTES``; a background export comes later.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from pathlib import Path
from typing import IO

import bagit
from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree

from methodica.core.errors import DomainError
from methodica.heritage import dublin_core
from methodica.heritage.inspection import CHUNK
from methodica.heritage.models import Item, MasterFile, PreservationEvent

# Formats that deflate cannot shrink: stored as they are, which is much faster.
COMPRESSED_SUFFIXES = {".jpg", ".jpeg", ".png"}


def _event_json(event: PreservationEvent) -> dict:
    return {
        "type": event.type,
        "at": event.at.isoformat(),
        "actor": event.actor.get_username() if event.actor else None,
        "file": event.file_id,
        "outcome": event.outcome,
        "detail": event.detail,
    }


def _copy_checked(master: MasterFile, target: Path) -> None:
    """Copy a master out of the storage, refusing it if it changed."""
    digest = hashlib.sha256()
    with (
        master.file.storage.open(master.file.name, "rb") as source,
        open(target, "wb") as copy,
    ):
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            copy.write(chunk)
    actual = digest.hexdigest()
    if actual != master.sha256:
        from methodica.heritage.fixity import record_outcome

        record_outcome(master, actual=actual, problem="checksum mismatch on export")
        raise DomainError(
            _(
                "The master “%(name)s” of %(identifier)s no longer matches its "
                "checksum, so no bag is made. The preservation staff are alerted."
            )
            % {"name": master.original_name, "identifier": master.item.identifier}
        )


def _write_item(item: Item, folder: Path, base_url: str) -> None:
    masters = folder / "masters"
    masters.mkdir(parents=True)
    files = list(item.files.all())  # prefetched in (order, pk) order
    for master in files:
        if master.replaced_by_id is None:
            name = f"{master.order:05d}{Path(master.file.name).suffix}"
            _copy_checked(master, masters / name)
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
            for m in files
        ],
    }
    (folder / "metadata.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    events = item.preservation_events.all()  # prefetched with actors, oldest first
    (folder / "events.json").write_text(
        json.dumps([_event_json(e) for e in events], ensure_ascii=False, indent=2),
        encoding="utf-8",
    )


def with_contents(items: QuerySet[Item]) -> QuerySet[Item]:
    """``items`` with all a bag needs, in a fixed number of queries."""
    return (
        items.select_related("newspaper")
        .prefetch_related(
            "credits__authority",
            "subjects",
            "places",
            Prefetch(
                "files",
                queryset=MasterFile.objects.select_related("item").order_by(
                    "order", "pk"
                ),
            ),
            Prefetch(
                "preservation_events",
                queryset=PreservationEvent.objects.select_related("actor").order_by(
                    "at", "pk"
                ),
            ),
        )
        .annotate(mime_types=dublin_core.mime_types_subquery())
    )


def check_size(items: QuerySet[Item]) -> None:
    """Refuse a bag too large to build during one request."""
    limit = settings.METHODICA_HERITAGE_MAX_BAG_BYTES
    total = MasterFile.objects.filter(
        item__in=items.values("pk"), replaced_by__isnull=True
    ).aggregate(total=Sum("size"))["total"]
    if total and total > limit:
        raise DomainError(
            _(
                "The masters come to %(size)s, more than the %(limit)s one download "
                "may hold. Export smaller parts: a series or single items."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
        )


def write_bag(
    items: QuerySet[Item], target: IO[bytes], *, label: str, base_url: str
) -> None:
    """Write a zipped, valid BagIt bag of ``items`` to ``target``.

    Raises DomainError, before anything is written to ``target``, when the bag
    is too large or a master fails its checksum.
    """
    check_size(items)
    with tempfile.TemporaryDirectory(prefix="methodica-bag-") as temporary:
        root = Path(temporary) / label
        root.mkdir()
        for item in with_contents(items):
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
                    method = (
                        zipfile.ZIP_STORED
                        if path.suffix.lower() in COMPRESSED_SUFFIXES
                        else zipfile.ZIP_DEFLATED
                    )
                    zf.write(path, f"{label}/{path.relative_to(root)}", method)
