"""``manage.py load_demo``: the demo district with its register and demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from methodica.libraries.demo import DEMO_PASSWORD, demo_logins, load_demo_district


class Command(BaseCommand):
    help = (
        "Load the demo district (Stara Zagora): municipalities, settlements, about 200 "
        "libraries with staff, and a demo user for every role. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (a public demo site).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo logins share a published password and one of them administers the
        # whole district: never add them to a real installation by accident.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like a real installation. The demo adds "
                "logins with a published password; use --force if this is a demo site."
            )
        counts = load_demo_district(stdout=self.stdout)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"\nDemo logins, all with the password {DEMO_PASSWORD!r}:")
        for username, description in demo_logins():
            self.stdout.write(f"  {username:<20} {description}")
