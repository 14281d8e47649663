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
    """Check one master, record the outcome, and say whether it passed.

    Any error while reading counts as a failure of that file (and is logged with
    its traceback): one odd file must not stop the audit of the others.
    """
    try:
        actual = stored_sha256(master)
        problem = None if actual == master.sha256 else "checksum mismatch"
    except OSError as error:  # missing or unreadable: as bad as a changed byte
        actual, problem = None, f"cannot read: {error}"
    except Exception as error:  # logged in full and recorded as failed
        logger.exception("Fixity check of master %s failed unexpectedly", master.pk)
        actual, problem = None, f"cannot check: {error!r}"
    record_outcome(master, actual=actual, problem=problem)
    return problem is None


def record_outcome(master: MasterFile, *, actual: str | None, problem: str | None):
    """Record a check's outcome on the master and in its log; log a failure loudly."""
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


def run_audit(queryset=None) -> FixityReport:
    """Check every master (replaced ones too: they are kept, so they are checked).

    The alarm for the failures found so far goes out even if the run itself
    breaks off (a lost database connection, say).
    """
    if queryset is None:  # an empty queryset audits nothing, not everything
        queryset = MasterFile.objects.all()
    masters = queryset.select_related("item")
    report = FixityReport()
    try:
        for master in masters.order_by("pk").iterator(chunk_size=500):
            report.checked += 1
            try:
                passed = check_file(master)
            except Exception:  # even recording failed: still a failure
                logger.exception("FIXITY FAILURE: master %s not checked", master.pk)
                passed = False
            if passed:
                report.passed += 1
            else:
                report.failed.append(master.pk)
    finally:
        if report.failed:
            from methodica.heritage.tasks import send_fixity_alarm

            send_fixity_alarm.enqueue(file_ids=report.failed)
    return report
