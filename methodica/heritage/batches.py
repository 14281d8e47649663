"""Batch ingest: a zip (or a folder on the server) with a CSV of metadata.

A batch is always checked first: the dry run reads the CSV and every file it
names, writes the findings to ``IngestBatch.report`` and one ``IngestRow`` per
row, and creates no item and stores no master. Only a clean batch runs (or one
whose invalid rows the cataloguer chose to skip). The worker then makes one item
per row, each row in one transaction through ``services.create_item`` and
``services.add_master_file``, so a batch stopped half-way is resumed from the rows
not done, and a batch is rolled back by soft-deleting the items it made (their
masters are preservation copies and stay).

The sources (zip or folder, and their safety checks) are in
:mod:`methodica.heritage.batch_sources`; the dry run in
:mod:`methodica.heritage.batch_checks`.
"""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import PurePosixPath
from typing import IO, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.core.audit import audit
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.heritage import services
from methodica.heritage.batch_checks import dry_run
from methodica.heritage.batch_sources import (
    Source,
    import_root,
    max_batch_bytes,
    open_source,
    resolve_folder,
)
from methodica.heritage.models import (
    Authority,
    Collection,
    IngestBatch,
    IngestRow,
    Item,
    ItemAuthority,
    Subject,
)
from methodica.libraries.models import District, Settlement

logger = logging.getLogger(__name__)

CATALOGUE = "heritage.item:catalogue"
# A running batch with no row done for this long lost its worker: it may be resumed.
STALLED = datetime.timedelta(minutes=15)

__all__ = ["import_root"]  # the pages ask whether folder batches are enabled


@transaction.atomic
def create_batch(
    *,
    actor: Any,
    district: District,
    archive: IO[bytes] | None = None,
    archive_name: str = "batch.zip",
    folder: str = "",
    csv_upload: IO[bytes] | None = None,
    collection: Collection | None = None,
) -> IngestBatch:
    """Upload a batch and check it (the dry run): no item is made yet."""
    require_perm(actor, CATALOGUE, district)
    if (archive is None) == (not folder):
        raise DomainError(_("Give either a zip archive or a folder, not both."))
    if collection is not None and collection.district_id != district.pk:
        raise DomainError(_("The collection is another district's."))
    batch = IngestBatch(
        district=district,
        collection=collection,
        folder=folder,
        created_by=services._user(actor),
    )
    if archive is not None:
        size = getattr(archive, "size", None)
        if size is not None and size > max_batch_bytes():
            raise DomainError(
                _("The archive is larger than the %(limit)s bytes allowed.")
                % {"limit": max_batch_bytes()}
            )
        batch.archive.save(f"{os.urandom(8).hex()}.zip", archive, save=False)
    else:
        resolve_folder(folder, district.code)
    try:
        source = open_source(batch)
        try:
            report, rows = dry_run(batch, source, csv_upload)
        finally:
            source.close()
    except DomainError:
        if batch.archive.name:  # refused (a bomb, not a zip): keep nothing of it
            batch.archive.storage.delete(batch.archive.name)
        raise
    report["archive_name"] = archive_name if archive is not None else folder
    batch.report = report
    batch.total_rows = len(rows)
    batch.status = (
        IngestBatch.Status.CHECKED if report["clean"] else IngestBatch.Status.INVALID
    )
    batch.save()
    for row in rows:
        row.batch = batch
    IngestRow.objects.bulk_create(rows)
    audit(
        actor=actor,
        action="heritage_batch.checked",
        obj=batch,
        changes={"status": {"before": None, "after": batch.status}},
    )
    return batch


@transaction.atomic
def start_batch(*, actor: Any, batch: IngestBatch, skip_invalid: bool = False):
    """Queue a checked batch (or one stopped half-way) for the worker."""
    require_perm(actor, CATALOGUE, batch)
    batch = IngestBatch.objects.select_for_update().get(pk=batch.pk)
    runnable = {
        IngestBatch.Status.CHECKED,
        IngestBatch.Status.INVALID,
        IngestBatch.Status.FAILED,
    }
    stalled = batch.status == IngestBatch.Status.RUNNING and (
        batch.updated_at < timezone.now() - STALLED
    )
    if batch.status not in runnable and not stalled:
        raise DomainError(
            _("This batch cannot be run now (%(status)s).")
            % {"status": batch.get_status_display()}
        )
    if batch.report.get("errors"):
        raise DomainError(_("The batch itself has errors; upload it again."))
    checked_bad = [row["number"] for row in batch.report["rows"] if row["errors"]]
    if checked_bad and not skip_invalid:
        raise DomainError(_("Some rows have errors: fix them or skip them."))
    # Rows the check refused stay failed; rows a run stopped at are tried again.
    batch.rows.filter(number__in=checked_bad).update(status=IngestRow.Status.FAILED)
    batch.rows.filter(status=IngestRow.Status.FAILED).exclude(
        number__in=checked_bad
    ).update(status=IngestRow.Status.PENDING, message="")
    before = batch.status
    batch.status = IngestBatch.Status.RUNNING
    batch.report = {**batch.report, "run_by": getattr(actor, "pk", None)}
    batch.save(update_fields=["status", "report", "updated_at"])
    audit(
        actor=actor,
        action="heritage_batch.started",
        obj=batch,
        changes={"status": {"before": before, "after": batch.status}},
    )
    from methodica.heritage.batch_tasks import run_batch

    transaction.on_commit(lambda: run_batch.enqueue(batch.pk))
    return batch


def process_batch(batch_id: int) -> None:
    """The worker's loop: every row still waiting, each in its own transaction."""
    from django.contrib.auth import get_user_model

    batch = IngestBatch.objects.select_related("district").get(pk=batch_id)
    if batch.status != IngestBatch.Status.RUNNING:
        return
    actor = get_user_model().objects.filter(pk=batch.report.get("run_by")).first()
    try:
        source = open_source(batch)
    except DomainError:
        logger.exception("Batch %s cannot be opened", batch.pk)
        IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.FAILED)
        return
    try:
        pending = batch.rows.filter(status=IngestRow.Status.PENDING)
        for row in pending.order_by("number"):
            try:
                _ingest_row(batch, row, source, actor)
            except Exception as error:
                # Recorded, not hidden: the row and the batch say what stopped it,
                # the log keeps the traceback, and resume starts from this row.
                logger.exception("Batch %s stopped at row %s", batch.pk, row.number)
                message = getattr(error, "message", None) or str(error)
                IngestRow.objects.filter(pk=row.pk).update(
                    status=IngestRow.Status.FAILED, message=message
                )
                IngestBatch.objects.filter(pk=batch.pk).update(
                    status=IngestBatch.Status.FAILED
                )
                return
    finally:
        source.close()
    IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.DONE)


@transaction.atomic
def _ingest_row(batch: IngestBatch, row: IngestRow, source: Source, actor) -> None:
    # Locked and re-read: a second worker on a resumed batch skips a row taken.
    row = IngestRow.objects.select_for_update().get(pk=row.pk)
    if row.status != IngestRow.Status.PENDING:
        return
    data = row.data
    values: dict[str, Any] = {
        "kind": data["kind"],
        "title": data["title"],
        "description": data.get("description", ""),
        "date": data.get("date", ""),
        "languages": data.get("languages", []),
        "access": data.get("access", Item.Access.PUBLIC),
        "places": list(Settlement.objects.filter(pk__in=data.get("places", []))),
        "subjects": [
            Subject.objects.get_or_create(term=term)[0]
            for term in data.get("subjects", [])
        ],
        "collections": list(Collection.objects.filter(pk=data.get("collection"))),
    }
    if data.get("rights"):
        values["rights"] = data["rights"]
    authorities = Authority.objects.in_bulk(data.get("creators", []))
    credits = [
        (authorities[pk], ItemAuthority.Role.CREATOR)
        for pk in data.get("creators", [])
        if pk in authorities
    ]
    item = services.create_item(
        actor=actor,
        district=batch.district,
        identifier=data["identifier"],
        values=values,
        credits=credits,
    )
    for name in row.files:
        with source.open(name) as stream:
            services.add_master_file(
                actor=actor, item=item, stream=stream, name=PurePosixPath(name).name
            )
    IngestRow.objects.filter(pk=row.pk).update(
        status=IngestRow.Status.DONE, item=item, message=""
    )
    IngestBatch.objects.filter(pk=batch.pk).update(
        done_rows=F("done_rows") + 1, updated_at=timezone.now()
    )


@transaction.atomic
def roll_back_batch(*, actor: Any, batch: IngestBatch, reason: str = "") -> int:
    """Soft-delete the items the batch made; their masters stay. Returns how many."""
    require_perm(actor, CATALOGUE, batch)
    batch = IngestBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status in (IngestBatch.Status.RUNNING, IngestBatch.Status.ROLLED_BACK):
        raise DomainError(
            _("A batch that is %(status)s cannot be rolled back.")
            % {"status": batch.get_status_display()}
        )
    reason = reason.strip() or _("Batch %(id)s rolled back.") % {"id": batch.pk}
    count = 0
    rows = batch.rows.filter(status=IngestRow.Status.DONE).select_related("item")
    for row in rows:
        if row.item is not None and row.item.deleted_at is None:
            services.delete_item(actor=actor, item=row.item, reason=reason)
            count += 1
    rows.update(status=IngestRow.Status.ROLLED_BACK)
    before = batch.status
    batch.status = IngestBatch.Status.ROLLED_BACK
    batch.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="heritage_batch.rolled_back",
        obj=batch,
        changes={"status": {"before": before, "after": batch.status}},
    )
    return count
