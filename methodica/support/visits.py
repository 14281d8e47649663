"""Every write of visits: planning, recording, recommendations, the report."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from methodica.core.audit import audit, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, require_perm
from methodica.libraries.models import Library
from methodica.support.models import ChecklistItem, Finding, Recommendation, Visit


@dataclass(frozen=True)
class FindingInput:
    item: ChecklistItem
    rating: str
    note: str = ""


@dataclass(frozen=True)
class RecommendationInput:
    text: str
    due_on: datetime.date


def _lock(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update()
        .select_related("library__municipality")
        .get(pk=visit.pk)
    )


@transaction.atomic
def plan_visit(
    *, actor: Any, library: Library, planned_for: datetime.date, purpose: str = ""
) -> Visit:
    """Plan a visit to ``library``."""
    if not has_perm(actor, "support.visit:manage", library):
        raise DomainError(_("You cannot plan visits to this library."), field="library")
    if planned_for is None:
        raise DomainError(_("Choose the date of the visit."), field="planned_for")
    visit = Visit.objects.create(
        library=library,
        planned_for=planned_for,
        purpose=(purpose or "").strip(),
        methodologist=actor,
    )
    audit(
        actor=actor,
        action="visit.planned",
        obj=visit,
        changes={
            "planned_for": {"before": None, "after": planned_for.isoformat()},
            "purpose": {"before": None, "after": visit.purpose},
        },
    )
    return visit


def _check_record(
    visit: Visit,
    visited_on: datetime.date | None,
    findings: Sequence[FindingInput],
    recommendations: Sequence[RecommendationInput],
) -> None:
    if visit.status == Visit.Status.CANCELLED:
        raise DomainError(_("This visit was cancelled."))
    if visited_on is None:
        raise DomainError(_("Give the date of the visit."), field="visited_on")
    if visited_on > timezone.localdate():
        raise DomainError(
            _("A visit cannot be recorded before it is made."), field="visited_on"
        )
    district_id = visit.library.municipality.district_id
    seen: set[int] = set()
    for finding in findings:
        if finding.item.district_id != district_id:
            raise DomainError(_("Use the district's checklist."))
        if finding.item.pk in seen:
            raise DomainError(
                _("The checklist item %(item)s is rated more than once.")
                % {"item": finding.item.name}
            )
        seen.add(finding.item.pk)
        if finding.rating not in Finding.Rating.values:
            raise DomainError(_("Choose a rating for each checklist item."))
    for recommendation in recommendations:
        if not recommendation.text.strip():
            raise DomainError(_("Write each recommendation."))
        if recommendation.due_on is None:
            raise DomainError(_("Give each recommendation a due date."))
        if recommendation.due_on < visited_on:
            raise DomainError(
                _("A recommendation cannot be due before the visit (%(date)s).")
                % {"date": visited_on.isoformat()}
            )
    # A corrected, later date must not leave earlier recommendations due before it.
    early = visit.recommendations.still_open().filter(due_on__lt=visited_on).first()
    if early is not None:
        raise DomainError(
            _(
                "The recommendation “%(text)s” is due on %(due)s, before the visit "
                "(%(date)s). Change its due date or close it first."
            )
            % {
                "text": early.text[:80],
                "due": early.due_on.isoformat(),
                "date": visited_on.isoformat(),
            },
            field="visited_on",
        )


def _save_findings(visit: Visit, findings: Sequence[FindingInput]) -> list[str]:
    """Write one finding per item given; drop those of items not given.

    Returns the codes of the checklist items whose findings were removed.
    """
    existing = {f.item_id: f for f in visit.findings.select_related("item")}
    for finding in findings:
        row = existing.pop(finding.item.pk, None)
        if row is None:
            Finding.objects.create(
                visit=visit, item=finding.item, rating=finding.rating, note=finding.note
            )
        elif (row.rating, row.note) != (finding.rating, finding.note):
            row.rating, row.note = finding.rating, finding.note
            row.save(update_fields=["rating", "note"])
    if existing:
        Finding.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()
    return sorted(f.item.code for f in existing.values())


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    visit: Visit,
    visited_on: datetime.date,
    met_with: str,
    summary: str,
    findings: Sequence[FindingInput],
    recommendations: Sequence[RecommendationInput],
) -> Visit:
    """Record what a visit found and recommended, all or nothing.

    Recording again corrects the findings (those of items not given are removed)
    and the summary, and adds the new recommendations; recommendations already
    made are followed up on their own, and none may be left due before the visit.
    """
    locked = _lock(visit)
    require_perm(actor, "support.visit:manage", locked)
    _check_record(locked, visited_on, findings, recommendations)
    fields = ["visited_on", "met_with", "summary", "status"]
    before = snapshot(locked, fields)
    locked.visited_on = visited_on
    locked.met_with = (met_with or "").strip()
    locked.summary = (summary or "").strip()
    locked.status = Visit.Status.DONE
    if locked.methodologist_id is None:
        locked.methodologist = actor
        fields.append("methodologist")
    locked.save(update_fields=[*fields, "updated_at"])
    removed = _save_findings(locked, findings)
    Recommendation.objects.bulk_create(
        Recommendation(
            visit=locked, library=locked.library, text=r.text.strip(), due_on=r.due_on
        )
        for r in recommendations
    )
    changes = diff(before, snapshot(locked, fields))
    changes["findings"] = {
        "before": None,
        "after": {f.item.code: f.rating for f in findings},
    }
    if removed:
        changes["findings_removed"] = {"before": removed, "after": None}
    if recommendations:
        changes["recommendations"] = {
            "before": None,
            "after": [
                {"text": r.text.strip(), "due_on": r.due_on.isoformat()}
                for r in recommendations
            ],
        }
    audit(actor=actor, action="visit.recorded", obj=locked, changes=changes)
    return locked


@transaction.atomic
def cancel_visit(*, actor: Any, visit: Visit, reason: str = "") -> Visit:
    """Cancel a planned visit."""
    locked = _lock(visit)
    require_perm(actor, "support.visit:manage", locked)
    if locked.status != Visit.Status.PLANNED:
        raise DomainError(_("Only a planned visit can be cancelled."))
    locked.status = Visit.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="visit.cancelled",
        obj=locked,
        changes={
            "status": {"before": "planned", "after": "cancelled"},
            "reason": {"before": None, "after": (reason or "").strip()},
        },
    )
    return locked


@transaction.atomic
def update_recommendation(
    *, actor: Any, recommendation: Recommendation, status: str, progress_note: str
) -> Recommendation:
    """Follow a recommendation up; closing it records when and by whom."""
    locked = (
        Recommendation.objects.select_for_update()
        .select_related("library__municipality")
        .get(pk=recommendation.pk)
    )
    require_perm(actor, "support.visit:manage", locked)
    if status not in Recommendation.Status.values:
        raise DomainError(_("Choose a status."), field="status")
    fields = ["status", "progress_note", "closed_on", "closed_by"]
    before = snapshot(locked, fields)
    locked.status = status
    locked.progress_note = (progress_note or "").strip()
    if status in Recommendation.OPEN_STATUSES:
        locked.closed_on, locked.closed_by = None, None
    elif locked.closed_on is None or before["status"] != status:
        locked.closed_on, locked.closed_by = timezone.localdate(), actor
    changes = diff(before, snapshot(locked, fields))
    if not changes:
        return locked
    locked.save(update_fields=fields)
    audit(actor=actor, action="recommendation.changed", obj=locked, changes=changes)
    return locked


def report_recipients(visit: Visit) -> list[str]:
    """The library's address and its municipality's, those the register has."""
    emails = [visit.library.email, visit.library.municipality.email]
    return list(dict.fromkeys(email for email in emails if email))


@transaction.atomic
def send_visit_report(*, actor: Any, visit: Visit) -> Visit:
    """Email the visit report (PDF) to the library and its municipality, by the
    worker."""
    from methodica.support.tasks import send_visit_report_email

    locked = _lock(visit)
    require_perm(actor, "support.visit:manage", locked)
    if locked.status != Visit.Status.DONE:
        raise DomainError(_("Record the visit before sending its report."))
    to = report_recipients(locked)
    if not to:
        raise DomainError(
            _("The library has no email address in the register. Add one first.")
        )
    audit(
        actor=actor,
        action="visit.report_queued",
        obj=locked,
        changes={"to": {"before": None, "after": to}},
    )
    pk, language = locked.pk, translation.get_language() or "bg"
    transaction.on_commit(
        lambda: send_visit_report_email.enqueue(visit_id=pk, language=language)
    )
    return locked


@transaction.atomic
def mark_report_sent(*, visit_id: int, to: Sequence[str]) -> None:
    """The worker sent the report: record when (audited as the system)."""
    visit = (
        Visit.objects.select_for_update()
        .select_related("library__municipality")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        return
    before = snapshot(visit, ["report_sent_at"])
    visit.report_sent_at = timezone.now()
    visit.save(update_fields=["report_sent_at"])
    changes = diff(before, snapshot(visit, ["report_sent_at"]))
    changes["to"] = {"before": None, "after": list(to)}
    audit(actor=None, action="visit.report_sent", obj=visit, changes=changes)
