"""``manage.py load_boundaries FILE.geojson --user NAME``: the municipalities' outlines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from methodica.accounts.models import User
from methodica.libraries.models import District
from methodica.libraries.services import BoundariesRefused, load_boundaries

MAX_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Set the municipalities' boundaries from a GeoJSON FeatureCollection whose "
        "features name their municipality by properties.code. All or nothing: on any "
        "problem nothing changes. Audited as the given user, who must be allowed to "
        "import the register of the district."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .geojson FeatureCollection.")
        parser.add_argument(
            "--user",
            required=True,
            help="The username the change is recorded under (a district administrator).",
        )
        parser.add_argument(
            "--district",
            help="The district's code; by default the user's own district.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        if options["district"]:
            district = District.objects.filter(code=options["district"]).first()
        else:
            district = District.objects.home_of(user)
        if district is None:
            raise CommandError("No such district: give --district CODE.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // 2**20} MB.")
        try:
            changed = load_boundaries(
                actor=user, district=district, data=path.read_bytes()
            )
        except PermissionDenied:
            raise CommandError(
                f"{user.username} may not change the register of {district.name}."
            ) from None
        except BoundariesRefused as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(exc.message) from None
        self.stdout.write(f"{district.name}: {changed} boundaries changed.")
