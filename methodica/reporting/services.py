"""Every write to forms, campaigns and reports."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.core.audit import audit
from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.core.permissions import require_perm
from methodica.libraries.models import District, Library
from methodica.reporting import default_form, design, formulas
from methodica.reporting.models import (
    Campaign,
    FieldComment,
    Indicator,
    Justification,
    Mark,
    Report,
    ReportForm,
    ReportValue,
    ReportVersion,
    Rule,
)
from methodica.reporting.reading import previous_values, report_values
from methodica.reporting.spreadsheet import read_template
from methodica.reporting.validation import (
    HARD,
    CellError,
    Finding,
    check_report,
    parse_cell,
)


@transaction.atomic
def create_default_form(*, actor: Any, district: District, year: int) -> ReportForm:
    """The year's form from the default (ISO 2789 and the Bulgarian annual report)."""
    require_perm(actor, "reporting.form:design", district)
    District.objects.select_for_update().filter(pk=district.pk).first()  # one at a time
    if ReportForm.objects.filter(district=district, year=year).exists():
        raise DomainError(_("There is already a form for %(year)s.") % {"year": year})
    form = default_form.build(district=district, year=year)
    audit(
        actor=actor,
        action="report_form.created",
        obj=form,
        changes={"year": {"before": None, "after": year}},
    )
    return form


def save_rule(
    *,
    actor: Any,
    form: ReportForm,
    code: str,
    expression: str,
    severity: str,
    messages: Mapping[str, str],
) -> Rule:
    """Add or change the rule ``code``; an expression that does not parse is refused
    with why. The form designer's ``design.save_rule`` does the work."""
    rule = form.rules.filter(code=code).first()
    return design.save_rule(
        actor=actor,
        form=form,
        code=code,
        expression=expression,
        severity=severity,
        messages=messages,
        active=rule.active if rule else True,
        rule=rule,
    )


@transaction.atomic
def open_campaign(*, actor: Any, form: ReportForm, deadline: datetime.date) -> Campaign:
    """Open the year's collection: every active library of the district gets a report."""
    require_perm(actor, "reporting.campaign:manage", form)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    if form.state != ReportForm.State.PUBLISHED:
        raise DomainError(
            _("The form for %(year)s is still being prepared. Publish it first.")
            % {"year": form.year}
        )
    if hasattr(form, "campaign"):
        raise DomainError(
            _("The campaign for %(year)s is already open.") % {"year": form.year}
        )
    campaign = Campaign.objects.create(form=form, deadline=deadline)
    libraries = Library.objects.filter(
        municipality__district_id=form.district_id, status=Library.Status.ACTIVE
    )
    Report.objects.bulk_create(
        Report(campaign=campaign, library=library) for library in libraries
    )
    audit(
        actor=actor,
        action="campaign.opened",
        obj=campaign,
        changes={
            "deadline": {"before": None, "after": deadline.isoformat()},
            "reports": {"before": None, "after": libraries.count()},
        },
    )
    return campaign


def _findings(report: Report, values: Mapping[str, Any]) -> list[Finding]:
    form = report.campaign.form
    indicators = list(form.indicators.all())
    return check_report(
        indicators,
        form.rules.filter(active=True),
        values,
        previous_values(report),
        change_threshold=report.campaign.change_threshold,
    )


def _completeness(indicators: list[Indicator], values: Mapping[str, Any]) -> int:
    required = [i.code for i in indicators if i.required and not i.formula]
    if not required:
        return 100
    return round(
        100 * sum(values.get(code) is not None for code in required) / len(required)
    )


@transaction.atomic
def save_report(
    *, report: Report, actor: Any, cells: Mapping[str, tuple[str, str]], revision: int
) -> tuple[Report, list[Finding], dict[str, str]]:
    """Save a draft: cells are ``{code: (typed text, mark)}``.

    Cells that do not parse are not saved and come back as errors by code; the
    rest are saved. A save based on an older revision than the stored one is
    refused, so that two people never overwrite each other unknowingly.
    """
    require_perm(actor, "reporting.report:edit", report)
    locked = (
        Report.objects.select_for_update()
        .select_related("campaign__form", "library__municipality")
        .get(pk=report.pk)
    )
    if not locked.is_editable:
        raise DomainError(
            _("This report is %(status)s and cannot be changed.")
            % {"status": locked.get_status_display()}
        )
    if revision != locked.revision:
        raise DomainError(
            _(
                "Someone else saved this report meanwhile. Reload it to see "
                "their changes; yours were not saved."
            )
        )
    indicators = {i.code: i for i in locked.campaign.form.indicators.all()}
    errors: dict[str, str] = {}
    parsed = {}
    for code, (raw, mark) in cells.items():
        indicator = indicators.get(code)
        if indicator is None or indicator.formula:
            continue  # formula cells are computed below, never typed
        try:
            parsed[indicator] = parse_cell(indicator, raw, mark)
        except CellError as exc:
            errors[code] = exc.message
    existing = {v.indicator_id: v for v in locked.values.all()}
    changes = _write_cells(locked, existing, parsed)
    values = report_values(locked)
    computed = formulas.compute(indicators.values(), values)
    changes |= _write_cells(
        locked,
        existing,
        {indicators[code]: (number, "", "") for code, number in computed.items()},
    )
    values.update(computed)
    locked.revision = F("revision") + 1
    locked.completeness = _completeness(list(indicators.values()), values)
    if locked.status == Report.Status.NOT_STARTED:
        locked.status = Report.Status.DRAFT
    locked.save(update_fields=["revision", "completeness", "status", "updated_at"])
    locked.refresh_from_db(fields=["revision"])
    _keep_version(locked, actor, values)
    audit(
        actor=actor,
        action="report.saved",
        obj=locked,
        changes={"revision": {"before": revision, "after": locked.revision}} | changes,
    )
    return locked, _findings(locked, values), errors


def _cell_text(number: Decimal | None, text: str, mark: str) -> str | None:
    """A cell as the audit shows it: the number, the text or the mark."""
    if mark and mark != Mark.ESTIMATED:
        return mark
    if number is not None:
        shown = format(number.normalize(), "f")
        return f"{shown} ({mark})" if mark else shown
    return f"{text} ({mark})" if text and mark else (text or None)


def _write_cells(
    report: Report,
    existing: dict[int, ReportValue],
    cells: Mapping[Indicator, tuple[Decimal | None, str, str]],
) -> dict[str, dict[str, str | None]]:
    """Store the cells that differ from ``existing``; each change, for the audit."""
    changes = {}
    created, updated = [], []
    for indicator, (number, text, mark) in cells.items():
        value = existing.get(indicator.pk)
        before = _cell_text(value.number, value.text, value.mark) if value else None
        after = _cell_text(number, text, mark)
        if before == after:
            continue
        if value is None:
            value = ReportValue(
                report=report, indicator=indicator, number=number, text=text, mark=mark
            )
            existing[indicator.pk] = value
            created.append(value)
        else:
            value.number, value.text, value.mark = number, text, mark
            updated.append(value)
        changes[indicator.code] = {"before": before, "after": after}
    # The new cells in one INSERT, the changed ones in one round trip (psycopg
    # pipelines executemany): a query a cell took a whole report's save (~100
    # cells) past the 50 ms target, and Django's bulk_update, which builds a CASE
    # a field and row, costs more than it saves (docs/decisions/0006).
    ReportValue.objects.bulk_create(created)
    if updated:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {ReportValue._meta.db_table} SET number = %s, text = %s,"  # noqa: S608 - the model's own table
                " mark = %s WHERE id = %s",
                [(v.number, v.text, v.mark, v.pk) for v in updated],
            )
    return changes


def _keep_version(report: Report, actor: Any, values: Mapping[str, Any]) -> None:
    ReportVersion.objects.create(
        report=report,
        revision=report.revision,
        saved_by=actor,
        status=report.status,
        form_version=report.campaign.form.version,
        values={
            code: (format(v.normalize(), "f") if isinstance(v, Decimal) else v)
            for code, v in values.items()
        },
    )


@transaction.atomic
def submit_report(
    *, report: Report, actor: Any, justifications: Mapping[str, str]
) -> Report:
    """Submit: no hard finding may remain, and every warning needs a justification."""
    require_perm(actor, "reporting.report:submit", report)
    locked = (
        Report.objects.select_for_update()
        .select_related("campaign__form", "library__municipality")
        .get(pk=report.pk)
    )
    if locked.status not in (Report.Status.DRAFT, Report.Status.RETURNED):
        raise DomainError(_("Only a draft or a returned report can be submitted."))
    # A report the administrator reopened is corrected and accepted again even after
    # its year closed or its deadline passed: reopening is that decision.
    reopened = (
        AuditEntry.objects.for_object(locked).filter(action="report.reopened").exists()
    )
    if locked.campaign.state == Campaign.State.CLOSED and not reopened:
        raise DomainError(_("The campaign for this year is closed."))
    if locked.is_late and not reopened:  # is_late counts an allowed late window
        raise DomainError(
            _("The deadline has passed. Ask the methodologist to allow a late report.")
        )
    findings = _findings(locked, report_values(locked))
    hard = [f for f in findings if f.severity == HARD]
    if hard:
        raise DomainError(
            _("Correct the errors first: %(count)s remain.") % {"count": len(hard)}
        )
    kept = dict(locked.justifications.values_list("rule_code", "text"))
    for finding in findings:
        text = (
            justifications.get(finding.code) or kept.get(finding.code) or ""
        ).strip()
        if not text:
            raise DomainError(
                _("Explain each warning before submitting."), field=finding.code
            )
        Justification.objects.update_or_create(
            report=locked,
            rule_code=finding.code,
            defaults={"text": text[:1000], "written_by": actor},
        )
    locked.status, locked.submitted_at = Report.Status.SUBMITTED, timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    audit(
        actor=actor,
        action="report.submitted",
        obj=locked,
        changes={"status": {"before": report.status, "after": locked.status}},
    )
    return locked


def _reviewable(report: Report, actor: Any) -> Report:
    require_perm(actor, "reporting.report:review", report)
    locked = (
        Report.objects.select_for_update()
        .select_related("campaign__form", "library__municipality")
        .get(pk=report.pk)
    )
    if locked.status != Report.Status.SUBMITTED:
        raise DomainError(_("Only a submitted report can be reviewed."))
    return locked


@transaction.atomic
def return_report(
    *, report: Report, actor: Any, comments: Mapping[str, str], general: str = ""
) -> Report:
    """Send a report back to its library with comments on fields (codes) and overall."""
    locked = _reviewable(report, actor)
    indicators = {i.code: i for i in locked.campaign.form.indicators.all()}
    written = [
        (indicators[code], text.strip())
        for code, text in comments.items()
        if code in indicators and text.strip()
    ]
    if general.strip():
        written.append((None, general.strip()))
    if not written:
        raise DomainError(_("Say what needs correcting: write at least one comment."))
    FieldComment.objects.bulk_create(
        FieldComment(report=locked, indicator=indicator, text=text[:2000], author=actor)
        for indicator, text in written
    )
    locked.status = Report.Status.RETURNED
    locked.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="report.returned",
        obj=locked,
        changes={"comments": {"before": None, "after": len(written)}},
    )
    return locked


@transaction.atomic
def accept_report(*, report: Report, actor: Any) -> Report:
    """Accept: the report is locked and counts in the consolidation."""
    locked = _reviewable(report, actor)
    locked.status, locked.accepted_at = Report.Status.ACCEPTED, timezone.now()
    locked.save(update_fields=["status", "accepted_at", "updated_at"])
    locked.comments.filter(resolved=False).update(resolved=True)
    audit(
        actor=actor,
        action="report.accepted",
        obj=locked,
        changes={"status": {"before": Report.Status.SUBMITTED, "after": locked.status}},
    )
    republish_if_closed(locked.campaign)
    return locked


@transaction.atomic
def reopen_report(*, report: Report, actor: Any, reason: str) -> Report:
    """Reopen an accepted report for correction; the reason is recorded."""
    require_perm(actor, "reporting.report:reopen", report)
    if not reason.strip():
        raise DomainError(_("Give the reason for reopening."), field="reason")
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.status != Report.Status.ACCEPTED:
        raise DomainError(_("Only an accepted report can be reopened."))
    locked.status, locked.accepted_at = Report.Status.RETURNED, None
    locked.save(update_fields=["status", "accepted_at", "updated_at"])
    FieldComment.objects.create(report=locked, text=reason.strip()[:2000], author=actor)
    audit(
        actor=actor,
        action="report.reopened",
        obj=locked,
        changes={"reason": {"before": None, "after": reason.strip()}},
    )
    republish_if_closed(locked.campaign)  # it leaves the totals until accepted again
    return locked


@transaction.atomic
def allow_late_report(*, report: Report, actor: Any, until: datetime.date) -> Report:
    """Let a library report after the deadline, until ``until``."""
    require_perm(actor, "reporting.campaign:manage", report.campaign)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    locked.late_allowed_until = until
    locked.save(update_fields=["late_allowed_until", "updated_at"])
    audit(
        actor=actor,
        action="report.late_allowed",
        obj=locked,
        changes={"until": {"before": None, "after": until.isoformat()}},
    )
    return locked


class TemplateRejected(DomainError):
    """A filled template that fails a hard check: nothing of it is saved."""

    def __init__(
        self, message: str, *, errors: dict[str, str], hard: list[Finding]
    ) -> None:
        super().__init__(message)
        self.errors, self.hard = errors, hard


def import_template(*, actor: Any, data: bytes, report: Report | None = None) -> Report:
    """Save a filled template, all of it or nothing.

    ``report`` is the report the user uploads to; a template of another report
    (another library, another year) is refused. Without it (a zip of many), the
    template says which report it is, and the actor must be allowed to edit it.
    """
    template = read_template(data)
    if report is not None and template.report_id != report.pk:
        raise DomainError(
            _(
                "This template belongs to another report (another library or "
                "another year). Download the template of this report."
            )
        )
    target = (
        Report.objects.select_related("campaign__form", "library__municipality")
        .filter(pk=template.report_id)
        .first()
    )
    if target is None:
        raise DomainError(_("The report of this template no longer exists."))
    require_perm(actor, "reporting.report:edit", target)
    with transaction.atomic():
        saved, findings, errors = save_report(
            report=target, actor=actor, cells=template.cells, revision=target.revision
        )
        hard = [f for f in findings if f.severity == HARD]
        if errors or hard:  # raising inside the block undoes the save
            raise TemplateRejected(
                _("The file was not saved: %(count)s problems to correct.")
                % {"count": len(errors) + len(hard)},
                errors=errors,
                hard=hard,
            )
    return saved


MAX_TEMPLATES_IN_ZIP = 500


@dataclass
class TemplateResult:
    name: str
    library: str = ""
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    ok: bool = False


def import_templates_zip(
    *, actor: Any, campaign: Campaign, data: bytes, max_file_bytes: int
) -> list[TemplateResult]:
    """Save every template in a zip; each file is all or nothing on its own."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DomainError(_("The file is not a zip archive.")) from None
    entries = [
        e
        for e in archive.infolist()
        if not e.is_dir()
        and e.filename.lower().endswith(".xlsx")
        and not e.filename.startswith(("__MACOSX/", "."))
    ]
    if not entries:
        raise DomainError(_("The zip archive holds no .xlsx files."))
    if len(entries) > MAX_TEMPLATES_IN_ZIP:
        raise DomainError(
            _("At most %(count)s files at once.") % {"count": MAX_TEMPLATES_IN_ZIP}
        )
    results = []
    for entry in entries:
        result = TemplateResult(name=entry.filename[-200:])
        results.append(result)
        if entry.file_size > max_file_bytes:
            result.message = _("The file is too large.")
            continue
        try:
            content = archive.read(entry)
            template_report = Report.objects.filter(
                pk=read_template(content).report_id
            ).first()
            if template_report is None or template_report.campaign_id != campaign.pk:
                raise DomainError(_("This template is not for this year's campaign."))
            saved = import_template(actor=actor, data=content, report=template_report)
        except TemplateRejected as exc:
            result.message, result.errors = exc.message, exc.errors
            result.errors.update({f.code: f.message for f in exc.hard})
        except (DomainError, PermissionDenied) as exc:
            result.message = getattr(exc, "message", "") or _(
                "You may not change this report."
            )
        except zipfile.BadZipFile:
            result.message = _("The file is damaged.")
        else:
            result.ok, result.library = True, saved.library.name
            result.message = _("Saved.")
    return results


@transaction.atomic
def send_reminders(*, actor: Any, campaign: Campaign, url_for: Any) -> int:
    """Remind every library whose report is not yet submitted; the worker sends them."""
    require_perm(actor, "reporting.campaign:manage", campaign)
    from django.utils import translation

    from methodica.reporting.tasks import send_report_reminder

    waiting = list(
        campaign.reports.filter(
            status__in=[
                Report.Status.NOT_STARTED,
                Report.Status.DRAFT,
                Report.Status.RETURNED,
            ]
        ).values_list("pk", flat=True)
    )
    language = translation.get_language() or "bg"
    for report_id in waiting:
        url = url_for(report_id)
        transaction.on_commit(
            lambda report_id=report_id, url=url: send_report_reminder.enqueue(
                report_id=report_id, url=url, language=language
            )
        )
    audit(
        actor=actor,
        action="campaign.reminded",
        obj=campaign,
        changes={"reports": {"before": None, "after": len(waiting)}},
    )
    return len(waiting)


@transaction.atomic
def close_campaign(*, actor: Any, campaign: Campaign) -> Campaign:
    """Close the year: no more submissions, and its accepted totals become open data."""
    require_perm(actor, "reporting.campaign:manage", campaign)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state == Campaign.State.CLOSED:
        raise DomainError(_("The campaign is already closed."))
    waiting = locked.reports.filter(status=Report.Status.SUBMITTED).count()
    if waiting:
        raise DomainError(
            _(
                "%(count)s submitted reports still wait for review. Accept or return them first."
            )
            % {"count": waiting}
        )
    locked.state = Campaign.State.CLOSED
    locked.save(update_fields=["state"])
    audit(
        actor=actor,
        action="campaign.closed",
        obj=locked,
        changes={"state": {"before": Campaign.State.OPEN, "after": locked.state}},
    )
    republish_if_closed(locked)
    return locked


def republish_if_closed(campaign: Campaign) -> None:
    """A closed year's open-data files follow its accepted reports: closing the year,
    and accepting or reopening one of its reports later, writes them again (by the
    worker, once the change is committed)."""
    if campaign.state != Campaign.State.CLOSED:
        return
    from methodica.reporting.tasks import publish_open_data

    campaign_id = campaign.pk
    transaction.on_commit(lambda: publish_open_data.enqueue(campaign_id=campaign_id))
