from __future__ import annotations

import pytest
from django.db.models import Sum
from django.utils import timezone

from methodica.libraries.demo import load_demo_district
from methodica.libraries.models import Settlement
from methodica.reporting.models import Campaign, Report, ReportValue
from methodica.reporting.reading import previous_values, report_values
from methodica.reporting.validation import HARD, check_report


@pytest.mark.django_db
def test_the_demo_has_ten_accepted_years_and_an_open_campaign_with_errors_to_find():
    load_demo_district()
    this_year = timezone.localdate().year
    campaigns = Campaign.objects.order_by("form__year")
    assert [c.form.year for c in campaigns] == list(
        range(this_year - 10, this_year + 1)
    )
    open_campaign = campaigns.last()
    assert open_campaign.state == Campaign.State.OPEN
    statuses = set(open_campaign.reports.values_list("status", flat=True))
    assert {"not_started", "draft", "submitted"} <= statuses
    last = campaigns.get(form__year=this_year - 1)
    changes = 0
    for report in last.reports.filter(status=Report.Status.ACCEPTED).order_by("pk")[
        :15
    ]:
        form = report.campaign.form
        findings = check_report(
            list(form.indicators.all()),
            form.rules.all(),
            report_values(report),
            previous_values(report),
            change_threshold=report.campaign.change_threshold,
        )
        assert [f.code for f in findings if f.severity == HARD] == [], report
        changes += sum(f.code.startswith("change:") for f in findings)
    # Each library keeps its habits from year to year: a methodologist sees a few
    # year-over-year warnings to look into, not one on every report.
    assert changes <= 5
    drafts = open_campaign.reports.filter(status=Report.Status.DRAFT)
    errors = 0
    for report in drafts:
        form = report.campaign.form
        findings = check_report(
            list(form.indicators.all()),
            form.rules.all(),
            report_values(report),
            {},
            change_threshold=report.campaign.change_threshold,
        )
        errors += any(f.code == "children_loans_within_total" for f in findings)
    assert errors >= 1  # a typical error left for the methodologist to find
    # Every report with values has its save in the history, with those values.
    draft = drafts.first()
    (version,) = draft.versions.all()
    assert version.values == {
        code: format(value.normalize(), "f")
        for code, value in report_values(draft).items()
    }
    # Libraries of one town share its population: the district's population served
    # is the district's population (plausible per-capita figures), not a multiple.
    served = ReportValue.objects.filter(
        report__campaign=last, indicator__code="population_served"
    ).aggregate(total=Sum("number"))["total"]
    people = Settlement.objects.aggregate(total=Sum("population"))["total"]
    assert 0.8 * people <= served <= people
    load_demo_district()  # repeatable
    assert Campaign.objects.count() == 11
