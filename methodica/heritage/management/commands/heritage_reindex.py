"""``manage.py heritage_reindex``: rebuild the search vectors of items and pages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from methodica.heritage import search, textsearch_setup
from methodica.heritage.models import Item


class Command(BaseCommand):
    help = (
        "Rebuild the full-text vectors of local-history items and their pages "
        "(after installing the Bulgarian dictionary, or changing the rules)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--install-dictionary",
            action="store_true",
            help="Recreate the 'bg' text-search configuration first.",
        )
        parser.add_argument("--item", type=int, action="append", default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["install_dictionary"]:
            with transaction.atomic():
                stemming = textsearch_setup.install(connection)
            self.stdout.write(
                "Bulgarian stemming installed."
                if stemming
                else "Bulgarian stemming NOT installed: 'bg' is a copy of 'simple'."
            )
        items = Item.objects.live()
        if options["item"]:
            items = items.filter(pk__in=options["item"])
        count = search.reindex(items.order_by("pk"))
        self.stdout.write(f"{count} items re-indexed with their pages.")
