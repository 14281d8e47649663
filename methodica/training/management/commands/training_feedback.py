"""Send the feedback survey of every session that has ended (run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from methodica.training.feedback_tasks import send_feedback_surveys


class Command(BaseCommand):
    help = (
        "Send the feedback survey of every session that has ended and has not had "
        "it yet: a one-time link to each participant who attended."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sessions = send_feedback_surveys.call()
        self.stdout.write(
            _("Feedback survey sent for %(count)s session(s).") % {"count": sessions}
        )
