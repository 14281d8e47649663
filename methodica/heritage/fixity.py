"""The fixity audit: re-read every master through the storage and compare SHA-256.

A mismatch (or a missing file) is reported loudly: an error in the log, a
``fixity_failed`` event, an email to the district's administrators and a banner
on the preservation page. Nothing is ever "fixed": the stored bytes and the
recorded checksum stay as they were, for a person to investigate.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from methodica.heritage.inspection import CHUNK
from methodica.heritage.models import MasterFile, PreservationEvent
from methodica.heritage.services import record_event

logger = logging.getLogger(__name__)


@dataclass
class FixityReport:
    checked: int = 0
    passed: int = 0
    failed: list[int] = field(default_factory=list)


def stored_sha256(master: MasterFile) -> str:
    """The SHA-256 of the bytes the storage holds now, read in chunks."""
    digest = hashlib.sha256()
    with master.file.storage.open(master.file.name, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(master: MasterFile) -> bool:
    """Check one master, record the outcome, and say whether it passed."""
    try:
        actual = stored_sha256(master)
        problem = None if actual == master.sha256 else "checksum mismatch"
    except OSError as error:  # missing or unreadable: as bad as a changed byte
        actual, problem = None, f"cannot read: {error}"
    now = timezone.now()
    with transaction.atomic():
        MasterFile.objects.filter(pk=master.pk).update(
            last_fixity_at=now, fixity_ok=problem is None
        )
        record_event(
            item=master.item,
            file=master,
            type=(
                PreservationEvent.Type.FIXITY_PASSED
                if problem is None
                else PreservationEvent.Type.FIXITY_FAILED
            ),
            detail={
                "path": master.file.name,
                "expected": master.sha256,
                "actual": actual,
                **({"problem": problem} if problem else {}),
            },
            outcome=(
                PreservationEvent.Outcome.SUCCESS
                if problem is None
                else PreservationEvent.Outcome.FAILURE
            ),
        )
    if problem:
        logger.error(
            "FIXITY FAILURE: master %s (%s) of item %s: %s; expected %s, found %s",
            master.pk,
            master.file.name,
            master.item.identifier,
            problem,
            master.sha256,
            actual,
        )
    return problem is None


def run_audit(queryset=None) -> FixityReport:
    """Check every master (replaced ones too: they are kept, so they are checked)."""
    masters = (queryset or MasterFile.objects.all()).select_related("item")
    report = FixityReport()
    for master in masters.order_by("pk").iterator(chunk_size=500):
        report.checked += 1
        if check_file(master):
            report.passed += 1
        else:
            report.failed.append(master.pk)
    if report.failed:
        from methodica.heritage.tasks import send_fixity_alarm

        send_fixity_alarm.enqueue(file_ids=report.failed)
    return report
