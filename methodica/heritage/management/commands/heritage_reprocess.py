"""``manage.py heritage_reprocess``: queue pages, derivatives and OCR again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from methodica.heritage.derivatives import make_derivatives_task
from methodica.heritage.models import Item, MasterFile, Page
from methodica.heritage.ocr_pipeline import read_page_task
from methodica.heritage.pages import process_master

PROBLEMS = [Page.Status.FAILED, Page.Status.EMPTY]


class Command(BaseCommand):
    help = (
        "Queue the worker to make the derivatives and read the text of local-history "
        "pages again (both unless --ocr or --derivatives). Masters that have no pages "
        "yet get them. The masters themselves are only read."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--item", type=int, help="Only this item (its id).")
        parser.add_argument(
            "--failed-only",
            action="store_true",
            help="Only pages whose derivatives or OCR failed or came out empty.",
        )
        parser.add_argument("--ocr", action="store_true", help="Read the text again.")
        parser.add_argument(
            "--derivatives", action="store_true", help="Make the images again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        items = Item.objects.live()
        if options["item"] is not None:
            items = items.filter(pk=options["item"])
            if not items.exists():
                raise CommandError(f"No live item has the id {options['item']}.")
        both = not options["ocr"] and not options["derivatives"]
        images, text = both or options["derivatives"], both or options["ocr"]
        masters = MasterFile.objects.filter(
            item__in=items, replaced_by__isnull=True, page_set__isnull=True
        )
        new = list(masters.values_list("pk", flat=True))
        for master_id in new:
            process_master.enqueue(master_id)
        pages = Page.objects.current().filter(item__in=items)
        if options["failed_only"]:
            wanted = Q()
            if images:
                wanted |= Q(derivatives_status__in=PROBLEMS)
            if text:
                wanted |= Q(ocr_status__in=PROBLEMS)
            pages = pages.filter(wanted)
        ids = list(pages.order_by("item_id", "order").values_list("pk", flat=True))
        for page_id in ids:
            if images:
                make_derivatives_task.enqueue(page_id, ocr=text)
            else:
                read_page_task.enqueue(page_id, force=True)
        self.stdout.write(
            f"{len(new)} masters queued for pages, {len(ids)} pages queued "
            f"({'images' if images else ''}{' and ' if images and text else ''}"
            f"{'text' if text else ''})."
        )
