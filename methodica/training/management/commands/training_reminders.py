"""Email reminders of training sessions starting within two days (run from cron)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from methodica.training.tasks import send_session_reminders


class Command(BaseCommand):
    help = "Remind the people enrolled in sessions starting within the next two days."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_session_reminders.call(language=settings.LANGUAGE_CODE)
        self.stdout.write(f"{sent} reminder(s) sent.")
