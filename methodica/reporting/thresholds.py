"""The campaign's warning thresholds, and how many warnings each would give.

Too many warnings are the reporters' most common complaint about statistics systems,
so the administrator sets when a change from last year warns and when a ratio far
from comparable libraries does, seeing beside each choice how many warnings the
reports given so far produce with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from methodica.core.audit import audit, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.reporting.consolidation import COUNTED
from methodica.reporting.models import Campaign, Indicator, Report, ReportValue
from methodica.reporting.outliers import outliers
from methodica.reporting.peers import RATIOS, size_class
from methodica.reporting.validation import year_change

THRESHOLD_FIELDS = ["change_threshold", "peer_threshold"]
CHANGE_LIMITS = (Decimal("0.05"), Decimal("9.99"))
PEER_LIMITS = (Decimal("1.0"), Decimal("20.0"))


@transaction.atomic
def set_thresholds(
    *,
    actor: Any,
    campaign: Campaign,
    change_threshold: Decimal,
    peer_threshold: Decimal,
) -> Campaign:
    """Set when a change from last year warns (a share: 0.5 is 50%) and when a ratio
    far from comparable libraries does (the modified z-score)."""
    require_perm(actor, "reporting.campaign:manage", campaign)
    low, high = CHANGE_LIMITS
    if not low <= change_threshold <= high:
        raise DomainError(
            _("Give a change between %(low)s%% and %(high)s%%.")
            % {"low": int(low * 100), "high": int(high * 100)},
            field="change_threshold",
        )
    low, high = PEER_LIMITS
    if not low <= peer_threshold <= high:
        raise DomainError(
            _("Give a score between %(low)s and %(high)s.")
            % {"low": low, "high": high},
            field="peer_threshold",
        )
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(locked, THRESHOLD_FIELDS)
    locked.change_threshold = change_threshold.quantize(Decimal("0.01"))
    locked.peer_threshold = peer_threshold.quantize(Decimal("0.1"))
    locked.save(update_fields=THRESHOLD_FIELDS)
    changes = diff(before, snapshot(locked, THRESHOLD_FIELDS))
    if changes:
        audit(
            actor=actor,
            action="campaign.thresholds_changed",
            obj=locked,
            changes=changes,
        )
    return locked


def _numbers(reports: Any) -> Iterable[tuple[int, int, str, int | None, Decimal]]:
    return ReportValue.objects.filter(
        COUNTED,
        report__in=reports,
        indicator__value_type__in=[
            Indicator.ValueType.INTEGER,
            Indicator.ValueType.DECIMAL,
        ],
    ).values_list(
        "report__library_id",
        "indicator_id",
        "indicator__code",
        "indicator__replaces_id",
        "number",
    )


def change_warnings(
    campaign: Campaign, thresholds: Iterable[Decimal]
) -> dict[Decimal, int]:
    """How many year-over-year warnings the campaign's reports give at each threshold.

    Two queries, whatever the number of reports: this year's numbers and last
    year's, paired by library and by code or ``replaces``, as the checks pair them.
    """
    form = campaign.form
    last_year = Report.objects.filter(
        campaign__form__district_id=form.district_id,
        campaign__form__year=form.year - 1,
    )
    by_code: dict[tuple[int, str], Decimal] = {}
    by_id: dict[tuple[int, int], Decimal] = {}
    for library_id, indicator_id, code, _r, number in _numbers(last_year):
        by_code[library_id, code] = by_id[library_id, indicator_id] = number
    changes = []
    for library_id, _i, code, replaces_id, number in _numbers(campaign.reports.all()):
        if number < 0:
            continue  # a hard finding instead
        last = (
            by_id.get((library_id, replaces_id))
            if replaces_id and (library_id, replaces_id) in by_id
            else by_code.get((library_id, code))
        )
        change = year_change(number, last)
        if change is not None:
            changes.append(abs(change))
    return {t: sum(change > t for change in changes) for t in thresholds}


def peer_warnings(campaign: Campaign, thresholds: Iterable[float]) -> dict[float, int]:
    """How many peer-outlier flags the submitted and accepted reports get at each
    threshold: one query, then the same groups and ratios as peers.peer_flags."""
    codes = {code for _c, _l, top, bottom in RATIOS for code in (top, bottom)}
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    kinds: dict[int, str] = {}
    for report_id, kind, code, number in ReportValue.objects.filter(
        COUNTED,
        report__campaign=campaign,
        report__status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
        indicator__code__in=codes | {"population_served"},
    ).values_list(
        "report_id", "report__library__library_type", "indicator__code", "number"
    ):
        values[report_id][code] = number
        kinds[report_id] = kind
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for report_id, figures in values.items():
        key = (kinds[report_id], size_class(figures.get("population_served")))
        groups[key].append(report_id)
    counts = dict.fromkeys(thresholds, 0)
    for members in groups.values():
        for _code, _label, top, bottom in RATIOS:
            ratios = {
                pk: float(values[pk][top] / values[pk][bottom])
                for pk in members
                if values[pk].get(top) is not None and values[pk].get(bottom)
            }
            for threshold in counts:
                counts[threshold] += len(outliers(ratios, threshold=threshold))
    return counts
