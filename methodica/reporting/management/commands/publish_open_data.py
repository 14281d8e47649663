"""``manage.py publish_open_data [--year Y] [--district CODE]``: write the open-data
files of the closed years again (all of them, or one year)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from methodica.reporting import open_data
from methodica.reporting.models import Campaign


class Command(BaseCommand):
    help = (
        "Regenerate the open-data files (CSV, JSON, XLSX, data dictionary) of every "
        "closed year, or of one year with --year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="Only this year.")
        parser.add_argument("--district", help="Only this district (its code).")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.select_related("form__district").order_by(
            "form__district__name", "form__year"
        )
        if options["year"]:
            campaigns = campaigns.filter(form__year=options["year"])
        if options["district"]:
            campaigns = campaigns.filter(
                form__district__code__iexact=options["district"]
            )
        chosen = list(campaigns)
        still_open = [c for c in chosen if c.state != Campaign.State.CLOSED]
        if options["year"] and still_open:
            raise CommandError(
                f"{options['year']} is not closed in "
                f"{', '.join(c.form.district.name for c in still_open)}: "
                "only a closed year is published."
            )
        closed = [c for c in chosen if c.state == Campaign.State.CLOSED]
        if not closed:
            raise CommandError("No closed year matches: nothing to publish.")
        for campaign in closed:
            for path in open_data.publish(campaign):
                self.stdout.write(path)
        self.stdout.write(f"Published {len(closed)} years.")
