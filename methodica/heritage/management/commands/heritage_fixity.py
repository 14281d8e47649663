"""``manage.py heritage_fixity``: re-check the SHA-256 of every master (run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from methodica.heritage.fixity import run_audit


class Command(BaseCommand):
    help = (
        "Re-read every local-history master file and compare its SHA-256 with the "
        "recorded one. Exits with status 1 if any file fails; never repairs anything."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_audit()
        self.stdout.write(
            f"{report.checked} master files checked, {report.passed} passed, "
            f"{len(report.failed)} failed."
        )
        if report.failed:
            raise CommandError(
                "FIXITY FAILURE: master files "
                + ", ".join(str(pk) for pk in report.failed)
                + " do not match their checksums. See /heritage/preservation/."
            )
