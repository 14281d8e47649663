"""A report's history: every save kept as a version, what each one changed, and the
state changes (submitted, returned, accepted, reopened) between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from methodica.core.models import AuditEntry
from methodica.core.permissions import get_object_for_user
from methodica.reporting.models import Report, ReportVersion, in_language

PER_PAGE = 25
# Saves are versions of their own; the audit adds what happened between them.
STATE_ACTIONS = {
    "report.submitted": _("Submitted"),
    "report.returned": _("Returned with comments"),
    "report.accepted": _("Accepted"),
    "report.reopened": _("Reopened"),
    "report.late_allowed": _("Late report allowed"),
}


@dataclass
class Change:
    code: str
    name: str
    before: Any
    after: Any


@dataclass
class Entry:
    """One line of the history: a save with its changes, or a change of state."""

    at: Any
    version: ReportVersion | None = None
    changes: list[Change] | None = None
    event: AuditEntry | None = None

    @property
    def label(self) -> str:
        return str(STATE_ACTIONS.get(self.event.action, "")) if self.event else ""


def _diff(
    before: dict[str, Any], after: dict[str, Any], names: dict[str, str]
) -> list[Change]:
    codes = [code for code in names if before.get(code) != after.get(code)]
    codes += sorted(set(after) - set(names) - set(before))  # indicators since removed
    return [
        Change(code, names.get(code, code), before.get(code), after.get(code))
        for code in codes
    ]


@login_required
@require_GET
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The versions of a report, newest first, each with the cells it changed."""
    report = get_object_for_user(
        request.user,
        Report.objects.select_related("campaign__form", "library"),
        "reporting.report:view",
        pk=pk,
    )
    page = Paginator(
        report.versions.select_related("saved_by").order_by("-revision"), PER_PAGE
    ).get_page(request.GET.get("page"))
    versions = list(page.object_list)
    oldest = versions[-1].revision if versions else 0
    # The version before the oldest on this page, to diff it too.
    before_page = (
        report.versions.filter(revision__lt=oldest).order_by("-revision").first()
    )
    names = {
        code: in_language(texts)
        for code, texts in report.campaign.form.indicators.order_by(
            "section__position", "position", "id"
        ).values_list("code", "names")
    }
    entries = []
    for index, version in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else before_page
        changes = _diff(older.values if older else {}, version.values, names)
        entries.append(Entry(version.saved_at, version=version, changes=changes))
    events = AuditEntry.objects.for_object(report).filter(action__in=STATE_ACTIONS)
    if before_page is not None:
        events = events.filter(at__gt=before_page.saved_at)
    if page.has_previous():
        events = events.filter(at__lte=versions[0].saved_at)
    entries += [
        Entry(event.at, event=event) for event in events.select_related("actor")[:200]
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return render(
        request,
        "reporting/report_history.html",
        {
            "report": report,
            "page": page,
            "entries": entries,
            "active_nav": "reports",
        },
    )
