"""Reports through the services: saving, checking, submitting, reviewing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.libraries.models import Library
from methodica.reporting import services
from methodica.reporting.expressions import parse
from methodica.reporting.models import Report, ReportValue
from methodica.reporting.reading import report_values
from tests.report_data import cells


@pytest.mark.django_db
def test_the_default_form_has_the_iso_indicators_and_rules_that_parse(form):
    codes = set(form.indicators.values_list("code", flat=True))
    assert {
        "users_total",
        "visits_physical",
        "loans_children",
        "collection_local_history",
        "acquired_donation",
        "withdrawn",
        "hours_per_week",
        "staff_qualified_fte",
        "computers_users",
        "events_attendance",
        "expenditure_staff",
    } <= codes
    for rule in form.rules.all():
        parse(rule.expression, known=codes, expect="boolean")


@pytest.mark.django_db
def test_opening_a_campaign_gives_every_active_library_a_report(
    form, district_admin, library, other_library
):
    Library.objects.filter(pk=other_library.pk).update(status=Library.Status.CLOSED)
    import datetime

    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    assert list(campaign.reports.values_list("library", flat=True)) == [library.pk]
    assert campaign.reports.get().status == Report.Status.NOT_STARTED


@pytest.mark.django_db
def test_a_reporter_saves_a_draft_and_each_save_is_a_version(report, reporter):
    saved, findings, errors = services.save_report(
        report=report, actor=reporter, cells=cells(), revision=0
    )
    assert errors == {} and saved.status == Report.Status.DRAFT
    assert saved.revision == 1 and saved.completeness == 100
    assert [f for f in findings if f.severity == "hard"] == []
    assert saved.versions.get().values["loans_total"] == "5200"
    assert AuditEntry.objects.filter(
        action="report.saved", library_id=report.library_id
    ).exists()


@pytest.mark.django_db
def test_a_bad_cell_is_refused_and_the_others_are_kept(report, reporter):
    saved, _findings, errors = services.save_report(
        report=report,
        actor=reporter,
        cells=cells({"loans_total": "пет хиляди", "users_total": "12.5"}),
        revision=0,
    )
    assert set(errors) == {"loans_total", "users_total"}
    values = report_values(saved)
    assert values["visits_physical"] == 2400 and "loans_total" not in values


@pytest.mark.django_db
def test_a_stale_save_is_refused_so_nobody_overwrites_anybody(
    report, reporter, methodologist
):
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    with pytest.raises(DomainError, match="Междувременно някой друг"):
        services.save_report(
            report=report,
            actor=methodologist,
            cells=cells({"loans_total": "1"}),
            revision=0,
        )
    assert (
        ReportValue.objects.get(report=report, indicator__code="loans_total").number
        == 5200
    )


@pytest.mark.django_db
def test_a_reporter_cannot_save_another_librarys_report(other_report, reporter):
    with pytest.raises(PermissionDenied):
        services.save_report(
            report=other_report, actor=reporter, cells=cells(), revision=0
        )
    assert not ReportValue.objects.exists()


@pytest.mark.django_db
def test_marks_are_stored_without_numbers_and_rules_over_them_do_not_apply(
    report, reporter
):
    _saved, findings, _errors = services.save_report(
        report=report,
        actor=reporter,
        cells=cells({"loans_children": ""}, marks={"loans_children": "unknown"}),
        revision=0,
    )
    value = ReportValue.objects.get(report=report, indicator__code="loans_children")
    assert (value.number, value.mark) == (None, "unknown")
    assert "children_loans_within_total" not in {f.code for f in findings}
    assert "required:loans_children" not in {f.code for f in findings}


@pytest.mark.django_db
def test_hard_errors_block_submission(report, reporter):
    services.save_report(
        report=report,
        actor=reporter,
        cells=cells({"loans_children": "9000"}),
        revision=0,
    )
    with pytest.raises(DomainError, match="поправете грешките"):
        services.submit_report(report=report, actor=reporter, justifications={})
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


@pytest.mark.django_db
def test_a_warning_needs_a_justification_that_then_stays(
    report, reporter, methodologist
):
    # The stock does not balance: 12000 + 150 - 50 != 12300 (a soft rule).
    services.save_report(
        report=report,
        actor=reporter,
        cells=cells({"collection_end": "12300", "collection_books": "11700"}),
        revision=0,
    )
    with pytest.raises(DomainError) as refused:
        services.submit_report(report=report, actor=reporter, justifications={})
    assert refused.value.field == "stock_balance"
    services.submit_report(
        report=report,
        actor=reporter,
        justifications={"stock_balance": "Прехвърлени 200 тома от закрития клон."},
    )
    services.return_report(
        report=report,
        actor=methodologist,
        comments={"visits_physical": "Проверете посещенията."},
    )
    report.refresh_from_db()
    services.save_report(
        report=report,
        actor=reporter,
        cells=cells(
            {
                "collection_end": "12300",
                "collection_books": "11700",
                "visits_physical": "2500",
            }
        ),
        revision=report.revision,
    )
    submitted = services.submit_report(report=report, actor=reporter, justifications={})
    assert submitted.status == Report.Status.SUBMITTED
    assert submitted.justifications.get().text.startswith("Прехвърлени")


@pytest.mark.django_db
def test_review_returns_with_comments_then_accepts_and_locks(
    report, reporter, methodologist
):
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    services.submit_report(report=report, actor=reporter, justifications={})
    with pytest.raises(DomainError):
        services.return_report(report=report, actor=methodologist, comments={})
    with pytest.raises(PermissionDenied):
        services.accept_report(report=report, actor=reporter)
    accepted = services.accept_report(report=report, actor=methodologist)
    assert accepted.status == Report.Status.ACCEPTED
    with pytest.raises(DomainError, match="не може да бъде променян"):
        services.save_report(
            report=report, actor=reporter, cells=cells(), revision=accepted.revision
        )


@pytest.mark.django_db
def test_reopening_needs_a_reason_and_the_right(
    report, reporter, methodologist, district_admin
):
    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    services.submit_report(report=report, actor=reporter, justifications={})
    services.accept_report(report=report, actor=methodologist)
    with pytest.raises(PermissionDenied):
        services.reopen_report(report=report, actor=methodologist, reason="грешка")
    with pytest.raises(DomainError):
        services.reopen_report(report=report, actor=district_admin, reason="  ")
    reopened = services.reopen_report(
        report=report,
        actor=district_admin,
        reason="Грешен фонд, потвърдено по телефона.",
    )
    assert reopened.status == Report.Status.RETURNED
    assert AuditEntry.objects.filter(action="report.reopened").exists()


@pytest.mark.django_db
def test_last_years_values_feed_the_carry_over_and_change_checks(
    district_admin, district, library, reporter, methodologist
):
    import datetime

    old_form = services.create_default_form(
        actor=district_admin, district=district, year=2024
    )
    old = services.open_campaign(
        actor=district_admin, form=old_form, deadline=datetime.date(2025, 1, 31)
    ).reports.get(library=library)
    Report.objects.filter(pk=old.pk).update(status=Report.Status.DRAFT)
    services.save_report(
        report=old,
        actor=district_admin,
        cells=cells({"collection_end": "11000", "visits_physical": "1000"}),
        revision=0,
    )
    new_form = services.create_default_form(
        actor=district_admin, district=district, year=2025
    )
    new = services.open_campaign(
        actor=district_admin, form=new_form, deadline=datetime.date(2099, 1, 31)
    ).reports.get(library=library)
    _saved, findings, _errors = services.save_report(
        report=new, actor=reporter, cells=cells(), revision=0
    )
    codes = {f.code for f in findings}
    assert "stock_carried_over" in codes  # 12000 at the start, 11000 at last year's end
    assert "change:visits_physical" in codes  # 1000 -> 2400


@pytest.mark.django_db
def test_a_broken_rule_is_refused_when_saved(form, district_admin):
    with pytest.raises(DomainError) as refused:
        services.save_rule(
            actor=district_admin,
            form=form,
            code="x",
            expression="loans_totl <= 5",
            severity="hard",
            messages={},
        )
    assert refused.value.field == "expression"


@pytest.mark.django_db
def test_closing_the_year_waits_for_reviews_then_stops_submissions(
    report, other_report, reporter, methodologist, district_admin, campaign
):
    from methodica.reporting.models import Campaign

    services.save_report(report=report, actor=reporter, cells=cells(), revision=0)
    services.submit_report(report=report, actor=reporter, justifications={})
    with pytest.raises(DomainError, match="1"):
        services.close_campaign(actor=district_admin, campaign=campaign)
    services.accept_report(report=report, actor=methodologist)
    with pytest.raises(PermissionDenied):
        services.close_campaign(actor=methodologist, campaign=campaign)
    assert (
        services.close_campaign(actor=district_admin, campaign=campaign).state
        == "closed"
    )
    other_report.refresh_from_db()
    services.save_report(
        report=other_report, actor=district_admin, cells=cells(), revision=0
    )
    with pytest.raises(DomainError):
        services.submit_report(
            report=other_report, actor=district_admin, justifications={}
        )
    assert Campaign.objects.get(pk=campaign.pk).state == Campaign.State.CLOSED
