"""Page rows made from master files: an image is one page, a PDF one per PDF page.

A master added or replaced is handed to :func:`process_master` (a worker task,
ids only) once its transaction commits. The pages of a replaced master are
replaced by the new master's; their derivative files are deleted with them (they
are made again from the masters at will), their text history too. The order of
pages in the item follows the current masters' order, then the page number.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from methodica.heritage.models import Item, MasterFile, Page

logger = logging.getLogger(__name__)


def _delete_derivative_files(pages: list[Page]) -> None:
    for page in pages:
        for field in (page.image, page.thumbnail):
            if field.name:
                field.storage.delete(field.name)


def renumber(item: Item) -> None:
    """Give the item's current pages their order: masters' order, then page number."""
    pages = list(
        Page.objects.current()
        .filter(item=item)
        .order_by("master__order", "master_id", "page_number")
    )
    changed = []
    for position, page in enumerate(pages, start=1):
        if page.order != position:
            page.order = position
            changed.append(page)
    Page.objects.bulk_update(changed, ["order"])


@transaction.atomic
def make_pages(master_id: int) -> list[int]:
    """Create the master's pages (idempotent), drop its predecessor's; their ids."""
    master = (
        MasterFile.objects.select_for_update().select_related("item").get(pk=master_id)
    )
    if master.replaced_by_id is not None:
        return []  # replaced before the worker came to it: its successor has pages
    old = list(Page.objects.filter(item=master.item, master__replaced_by__isnull=False))
    if old:
        _delete_derivative_files(old)
        Page.objects.filter(pk__in=[page.pk for page in old]).delete()
    count = master.pages if master.mime_type == MasterFile.Mime.PDF else 1
    existing = set(master.page_set.values_list("page_number", flat=True))
    Page.objects.bulk_create(
        Page(item=master.item, master=master, page_number=number, order=0)
        for number in range(1, max(count, 1) + 1)
        if number not in existing
    )
    renumber(master.item)
    return list(master.page_set.order_by("page_number").values_list("pk", flat=True))


@task()
def process_master(master_id: int) -> None:
    """Make the master's pages, then a derivatives task for each (which OCRs next)."""
    from methodica.heritage.derivatives import make_derivatives_task

    if not MasterFile.objects.filter(pk=master_id).exists():
        logger.warning("Master %s is gone; no pages made", master_id)
        return
    for page_id in make_pages(master_id):
        make_derivatives_task.enqueue(page_id)
