"""Reading report values in the shape the checks and the consolidation take."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from methodica.reporting.models import Mark, Report, ReportValue


def as_value(number: Decimal | None, text: str, mark: str) -> Any:
    """A stored cell for the rule language: a number, a mark, text, or None."""
    if mark and mark != Mark.ESTIMATED:
        return mark
    if number is not None:
        return number
    return text or None


def report_values(report: Report) -> dict[str, Any]:
    rows = ReportValue.objects.filter(report=report).values_list(
        "indicator__code", "number", "text", "mark"
    )
    return {code: as_value(number, text, mark) for code, number, text, mark in rows}


def previous_report(report: Report) -> Report | None:
    """The same library's report of the year before, if accepted or submitted."""
    return (
        Report.objects.filter(
            library_id=report.library_id,
            campaign__form__district_id=report.campaign.form.district_id,
            campaign__form__year=report.campaign.form.year - 1,
        )
        .select_related("campaign__form")
        .first()
    )


def previous_values(report: Report) -> dict[str, Any]:
    """Last year's values, by this year's codes (following ``replaces`` links)."""
    previous = previous_report(report)
    if previous is None:
        return {}
    rows = ReportValue.objects.filter(report=previous).values_list(
        "indicator_id", "indicator__code", "number", "text", "mark"
    )
    by_id = {indicator_id: as_value(n, t, m) for indicator_id, _c, n, t, m in rows}
    by_code = {code: as_value(n, t, m) for _i, code, n, t, m in rows}
    values = dict(by_code)
    for code, replaced_id in report.campaign.form.indicators.filter(
        replaces__isnull=False
    ).values_list("code", "replaces_id"):
        if replaced_id in by_id:
            values[code] = by_id[replaced_id]
    return values
