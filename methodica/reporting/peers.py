"""Comparing a report with comparable libraries: same type, same size class.

For a few ratios that do not depend on size (loans per user, visits per user,
turnover, stock per user) the modified z-score (outliers.py) flags a report far
from its peers' median. Peers are the campaign's submitted and accepted reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from methodica.reporting.models import Mark, Report, ReportValue
from methodica.reporting.outliers import outliers

RATIOS = [
    ("loans_per_user", _("Loans per user"), "loans_total", "users_total"),
    ("visits_per_user", _("Visits per user"), "visits_physical", "users_total"),
    ("turnover", _("Collection turnover"), "loans_total", "collection_end"),
    ("stock_per_user", _("Stock per user"), "collection_end", "users_total"),
]
SIZE_CLASSES = (500, 2000, 10000)


def size_class(population: Decimal | int | None) -> int:
    """0 below 500 inhabitants, 1 to 2,000, 2 to 10,000, 3 above."""
    population = population or 0
    return sum(population >= limit for limit in SIZE_CLASSES)


@dataclass(frozen=True)
class PeerFlag:
    code: str
    label: str
    value: float
    median: float
    score: float
    peers: int


def peer_flags(report: Report) -> list[PeerFlag]:
    """The ratios on which ``report`` lies far from comparable libraries."""
    codes = {code for _c, _l, top, bottom in RATIOS for code in (top, bottom)}
    codes.add("population_served")
    candidates = Report.objects.filter(
        campaign_id=report.campaign_id,
        library__library_type=report.library.library_type,
        status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
    ).values_list("pk", flat=True)
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for report_id, code, number in ReportValue.objects.filter(
        report_id__in=[*candidates, report.pk],
        indicator__code__in=codes,
        mark__in=[Mark.NONE, Mark.ESTIMATED],
        number__isnull=False,
    ).values_list("report_id", "indicator__code", "number"):
        values[report_id][code] = number
    mine = values.get(report.pk, {})
    threshold = float(report.campaign.peer_threshold)  # editable per campaign
    group = {
        pk: v
        for pk, v in values.items()
        if size_class(v.get("population_served"))
        == size_class(mine.get("population_served"))
    }
    flags = []
    for code, label, top, bottom in RATIOS:
        ratios = {
            pk: float(v[top] / v[bottom])
            for pk, v in group.items()
            if v.get(top) is not None and v.get(bottom)
        }
        for found in outliers(ratios, threshold=threshold):
            if found.key == report.pk:
                flags.append(
                    PeerFlag(
                        code,
                        str(label),
                        found.value,
                        found.group_median,
                        found.score,
                        len(ratios),
                    )
                )
    return flags
