"""The form designer: copying a year's form, safe and breaking changes, formulas,
thresholds, and who may get at the designer at all."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.reporting import design, services, thresholds
from methodica.reporting.models import (
    Campaign,
    Indicator,
    Report,
    ReportForm,
    ReportValue,
    Rule,
)
from methodica.reporting.spreadsheet import FIRST_ROW
from tests.querycount import count_queries
from tests.report_data import cells


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that tests can name the words they expect."""
    with translation.override("en"):
        yield


def data_of(indicator: Indicator, **changes) -> dict:
    """An indicator's fields as the designer posts them, with ``changes``."""
    return {
        "section": indicator.section,
        "code": indicator.code,
        "names": dict(indicator.names),
        "definitions": dict(indicator.definitions or {}),
        "unit": indicator.unit,
        "value_type": indicator.value_type,
        "choices": list(indicator.choices),
        "required": indicator.required,
        "formula": indicator.formula,
        "replaces": indicator.replaces,
    } | changes


def saved(report, reporter, overrides=None, marks=None):
    report.refresh_from_db()
    return services.save_report(
        report=report,
        actor=reporter,
        cells=cells(overrides, marks),
        revision=report.revision,
    )


# --- copying a form to next year --------------------------------------------------------


@pytest.mark.django_db
def test_copying_a_form_keeps_every_indicator_replacing_the_one_it_came_from(
    form, district_admin
):
    copy = design.copy_form(actor=district_admin, form=form, year=2026)
    assert copy.state == ReportForm.State.DRAFT and copy.based_on == form
    originals = {i.code: i for i in form.indicators.all()}
    copies = list(copy.indicators.select_related("replaces", "section"))
    assert len(copies) == len(originals)
    for indicator in copies:
        assert indicator.replaces == originals[indicator.code]
        assert indicator.section.form_id == copy.pk
        assert indicator.formula == originals[indicator.code].formula
    assert sorted(copy.rules.values_list("code", "expression")) == sorted(
        form.rules.values_list("code", "expression")
    )
    entry = AuditEntry.objects.get(action="report_form.copied")
    assert entry.changes["year"] == {"before": 2025, "after": 2026}


@pytest.mark.django_db
def test_a_copy_to_a_year_that_has_a_form_is_refused(form, district_admin):
    with pytest.raises(DomainError, match="2025"):
        design.copy_form(actor=district_admin, form=form, year=2025)


@pytest.mark.django_db
def test_only_the_administrator_copies_forms(form, methodologist, reporter):
    for user in (methodologist, reporter):
        with pytest.raises(PermissionDenied):
            design.copy_form(actor=user, form=form, year=2026)
    assert ReportForm.objects.count() == 1


@pytest.mark.django_db
def test_last_years_value_follows_replaces_into_the_copied_form(
    report, reporter, district_admin, form, campaign, methodologist
):
    from methodica.reporting.reading import previous_values

    saved(report, reporter)
    copy = design.copy_form(actor=district_admin, form=form, year=2026)
    renamed = copy.indicators.get(code="events_count")
    design.save_indicator(
        actor=district_admin,
        form=copy,
        indicator=renamed,
        data=data_of(renamed, code="events_total"),
    )
    design.publish_form(actor=district_admin, form=copy)
    new_campaign = services.open_campaign(
        actor=district_admin, form=copy, deadline=campaign.deadline
    )
    new_report = new_campaign.reports.get(library=report.library)
    assert previous_values(new_report)["events_total"] == Decimal("24")


# --- breaking and safe changes ---------------------------------------------------


@pytest.mark.django_db
def test_recoding_an_indicator_with_values_is_refused_and_nothing_changes(
    report, reporter, district_admin, form
):
    saved(report, reporter)
    indicator = form.indicators.get(code="events_count")
    version = ReportForm.objects.get(pk=form.pk).version
    with pytest.raises(DomainError) as refused:
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=indicator,
            data=data_of(indicator, code="events_total", names={"bg": "Събития"}),
        )
    assert "events_count" in refused.value.message
    assert "1" in refused.value.message  # in how many reports
    indicator.refresh_from_db()
    assert indicator.code == "events_count" and indicator.names["bg"] != "Събития"
    assert ReportForm.objects.get(pk=form.pk).version == version
    assert not AuditEntry.objects.filter(action="report_form.indicator_changed")


@pytest.mark.django_db
def test_a_code_that_rules_read_cannot_change_even_without_values(form, district_admin):
    indicator = form.indicators.get(code="loans_children")
    with pytest.raises(DomainError, match="children_loans_within_total"):
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=indicator,
            data=data_of(indicator, code="loans_kids"),
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "change", "words"),
    [
        ("events_count", {"value_type": "decimal"}, "type"),
        ("events_count", {"formula": "computers_users + 1"}, "formula"),
    ],
)
def test_changing_the_type_or_formula_of_an_answered_indicator_is_refused(
    report, reporter, district_admin, form, code, change, words
):
    saved(report, reporter)
    indicator = form.indicators.get(code=code)
    with pytest.raises(DomainError, match=words):
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=indicator,
            data=data_of(indicator, **change),
        )
    indicator.refresh_from_db()
    assert indicator.value_type == "integer" and indicator.formula == ""


@pytest.mark.django_db
def test_removing_an_answered_indicator_is_refused(
    report, reporter, district_admin, form
):
    saved(report, reporter)
    indicator = form.indicators.get(code="events_attendance")
    with pytest.raises(DomainError, match="events_attendance"):
        design.remove_indicator(actor=district_admin, indicator=indicator)
    assert form.indicators.filter(code="events_attendance").exists()


@pytest.mark.django_db
def test_a_used_choice_cannot_be_removed_but_an_unused_one_can(
    report, reporter, district_admin, form
):
    section = form.sections.get(code="users")
    kind = design.save_indicator(
        actor=district_admin,
        form=form,
        data={
            "section": section,
            "code": "premises",
            "names": {"bg": "Помещение"},
            "value_type": "choice",
            "choices": ["own", "rented", "shared"],
            "required": False,
        },
    )
    report.refresh_from_db()
    services.save_report(
        report=report,
        actor=reporter,
        cells={"premises": ("rented", "")},
        revision=report.revision,
    )
    with pytest.raises(DomainError, match="rented"):
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=kind,
            data=data_of(kind, choices=["own", "shared"]),
        )
    design.save_indicator(
        actor=district_admin,
        form=form,
        indicator=kind,
        data=data_of(kind, choices=["own", "rented"]),
    )
    kind.refresh_from_db()
    assert kind.choices == ["own", "rented"]


@pytest.mark.django_db
def test_an_optional_indicator_cannot_become_required_while_submitted_reports_lack_it(
    report, reporter, district_admin, form
):
    saved(report, reporter, {"visits_virtual": ""})  # left empty: it is optional
    services.submit_report(report=report, actor=reporter, justifications={})
    indicator = form.indicators.get(code="visits_virtual")
    with pytest.raises(DomainError, match="visits_virtual"):
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=indicator,
            data=data_of(indicator, required=True),
        )
    with pytest.raises(DomainError, match="optional"):
        design.save_indicator(
            actor=district_admin,
            form=form,
            data={
                "section": indicator.section,
                "code": "visits_online_events",
                "names": {"bg": "Онлайн събития"},
                "required": True,
            },
        )
    assert not form.indicators.filter(code="visits_online_events").exists()


@pytest.mark.django_db
def test_safe_changes_to_a_form_with_reports_raise_its_version_and_are_audited(
    report, reporter, district_admin, form
):
    saved(report, reporter)
    before = ReportForm.objects.get(pk=form.pk).version
    indicator = form.indicators.get(code="loans_total")
    design.save_indicator(
        actor=district_admin,
        form=form,
        indicator=indicator,
        data=data_of(
            indicator,
            names={**indicator.names, "bg": "Заемания – всичко"},
            definitions={"bg": "Всички заемания за дома и в читалнята."},
            unit="loans",
        ),
    )
    design.save_indicator(
        actor=district_admin,
        form=form,
        data={
            "section": indicator.section,
            "code": "loans_digital",
            "names": {"bg": "Електронни заемания"},
            "required": False,
        },
    )
    design.save_rule(
        actor=district_admin,
        form=form,
        rule=form.rules.get(code="hours_possible"),
        code="hours_possible",
        expression="hours_per_week <= 84",
        severity="hard",
        messages={"bg": "Най-много 84 часа."},
        active=False,
    )
    form.refresh_from_db()
    assert form.version == before + 3
    indicator.refresh_from_db()
    assert indicator.names["bg"] == "Заемания – всичко"
    entry = AuditEntry.objects.get(action="report_form.indicator_changed")
    assert entry.changes["loans_total.unit"] == {"before": "items", "after": "loans"}
    assert entry.changes["loans_total.names"]["after"]["bg"] == "Заемания – всичко"
    assert "loans_total.code" not in entry.changes
    assert entry.changes["version"] == {"before": before, "after": before + 1}
    rule = AuditEntry.objects.get(action="rule.changed")
    assert rule.changes["hours_possible.active"] == {"before": True, "after": False}


@pytest.mark.django_db
def test_each_save_records_the_form_version_it_was_made_against(
    report, reporter, district_admin, form
):
    saved(report, reporter)
    indicator = form.indicators.get(code="loans_total")
    design.save_indicator(
        actor=district_admin,
        form=form,
        indicator=indicator,
        data=data_of(indicator, unit="loans"),
    )
    saved(report, reporter, {"events_count": "25"})
    first, second = report.versions.order_by("revision")
    assert second.form_version == first.form_version + 1


@pytest.mark.django_db
def test_a_rule_with_a_typo_is_refused_with_the_position(form, district_admin):
    with pytest.raises(DomainError) as refused:
        design.save_rule(
            actor=district_admin,
            form=form,
            code="events_attended",
            expression="events_attendance >= events_cont",
            severity="soft",
            messages={"bg": "Посещенията на събития са по-малко от събитията."},
        )
    assert refused.value.field == "expression"
    assert "events_cont" in refused.value.message and "22" in refused.value.message
    assert not Rule.objects.filter(code="events_attended").exists()


@pytest.mark.django_db
def test_a_rule_of_a_form_with_reports_is_deactivated_not_removed(
    campaign, district_admin, form
):
    with pytest.raises(DomainError, match="deactivate"):
        design.remove_rule(actor=district_admin, rule=form.rules.first())


# --- formulas -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_formula_is_computed_on_every_save_and_typing_into_it_is_ignored(
    report, reporter
):
    _saved, _findings, errors = saved(report, reporter, {"visits_total": "1"})
    assert errors == {}
    total = ReportValue.objects.get(report=report, indicator__code="visits_total")
    assert total.number == Decimal(2700)  # 2400 physical + 300 virtual
    saved(report, reporter, {"visits_virtual": "500"})
    total.refresh_from_db()
    assert total.number == Decimal(2900)


@pytest.mark.django_db
def test_a_formula_over_a_marked_value_gives_no_number(report, reporter):
    saved(report, reporter)
    saved(report, reporter, {"visits_virtual": ""}, marks={"visits_virtual": "unknown"})
    total = ReportValue.objects.get(report=report, indicator__code="visits_total")
    assert total.number is None and total.mark == ""


@pytest.mark.django_db
def test_formula_fields_are_read_only_in_the_browser_form(client_for, reporter, report):
    page = client_for(reporter).get(f"/reports/{report.pk}/").content.decode()
    field = page[page.index('id="v_visits_total"') :].split(">", 1)[0]
    assert "readonly" in field
    other = page[page.index('id="v_visits_physical"') :].split(">", 1)[0]
    assert "readonly" not in other


@pytest.mark.django_db
def test_formula_cells_are_locked_in_the_template_and_computed_on_upload(
    client_for, reporter, report
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.report_data import GOOD

    client = client_for(reporter)
    response = client.get(f"/reports/{report.pk}/template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = {
        sheet.cell(row=row, column=1).value: row
        for row in range(FIRST_ROW, sheet.max_row + 1)
    }
    assert sheet[f"E{rows['visits_total']}"].protection.locked is True
    assert sheet[f"E{rows['visits_physical']}"].protection.locked is False
    for code, text in {**GOOD, "visits_total": "99"}.items():
        sheet.cell(row=rows[code], column=5, value=text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        f"/reports/{report.pk}/template/",
        {"file": SimpleUploadedFile("report.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 302
    total = ReportValue.objects.get(report=report, indicator__code="visits_total")
    assert total.number == Decimal(2700)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("visits_physical + visits_onlin", "visits_onlin"),
        ("prev(visits_physical)", "prev"),
        ("visits_physical > 3", "number"),
        ("visits_total + 1", "own value"),
    ],
)
def test_a_formula_that_cannot_work_is_refused(form, district_admin, formula, words):
    indicator = form.indicators.get(code="visits_total")
    with pytest.raises(DomainError, match=words) as refused:
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=indicator,
            data=data_of(indicator, formula=formula),
        )
    assert refused.value.field == "formula"
    indicator.refresh_from_db()
    assert indicator.formula == "visits_physical + visits_virtual"


@pytest.mark.django_db
def test_formulas_that_form_a_circle_are_refused(form, district_admin):
    section = form.sections.get(code="visits")
    design.save_indicator(
        actor=district_admin,
        form=form,
        data={
            "section": section,
            "code": "visits_per_user",
            "names": {"bg": "Посещения на потребител"},
            "value_type": "decimal",
            "formula": "visits_total / users_total",
        },
    )
    total = form.indicators.get(code="visits_total")
    with pytest.raises(DomainError, match="circle") as refused:
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=total,
            data=data_of(total, formula="visits_per_user * users_total"),
        )
    assert "visits_per_user → visits_total → visits_per_user" in refused.value.message


@pytest.mark.django_db
def test_formulas_built_on_formulas_are_computed_in_order(
    form, district_admin, report, reporter
):
    design.save_indicator(
        actor=district_admin,
        form=form,
        data={
            "section": form.sections.get(code="visits"),
            "code": "visits_per_user",
            "names": {"bg": "Посещения на потребител"},
            "value_type": "decimal",
            "formula": "visits_total / users_total",
        },
    )
    saved(report, reporter)
    value = ReportValue.objects.get(report=report, indicator__code="visits_per_user")
    assert value.number == Decimal("12.86")  # 2700 / 210, rounded to cents


@pytest.mark.django_db
def test_a_formula_too_large_to_store_gives_no_number_and_the_save_goes_through(
    form, district_admin, report, reporter
):
    design.save_indicator(
        actor=district_admin,
        form=form,
        data={
            "section": form.sections.get(code="loans"),
            "code": "loans_cubed",
            "names": {"bg": "Куб"},
            "value_type": "decimal",
            "required": False,
            "formula": "loans_total * loans_total * loans_total",
        },
    )
    report, _findings, errors = saved(
        report, reporter, {"loans_total": "99999999999", "loans_books": "99999999499"}
    )
    assert not errors
    assert not ReportValue.objects.filter(
        report=report, indicator__code="loans_cubed", number__isnull=False
    ).exists()
    assert ReportValue.objects.get(
        report=report, indicator__code="loans_total"
    ).number == Decimal("99999999999")


@pytest.mark.django_db
def test_an_indicator_a_rule_compares_cannot_turn_into_text(form, district_admin):
    indicator = form.indicators.get(code="loans_children")
    with pytest.raises(DomainError) as refused:
        design.save_indicator(
            actor=district_admin,
            form=form,
            indicator=indicator,
            data=data_of(indicator, value_type="text"),
        )
    assert refused.value.field == "value_type"
    assert "children_loans_within_total" in refused.value.message
    indicator.refresh_from_db()
    assert indicator.value_type == "integer"


@pytest.mark.django_db
def test_a_section_in_the_query_string_that_is_not_a_number_is_ignored(
    client_for, district_admin, form
):
    response = client_for(district_admin).get(
        f"/reports/forms/{form.pk}/indicators/new/?section=abc"
    )
    assert response.status_code == 200


# --- the audit of a save --------------------------------------------------------------


@pytest.mark.django_db
def test_a_save_audits_each_changed_cell_before_and_after(report, reporter):
    saved(report, reporter)
    saved(
        report,
        reporter,
        {"loans_total": "5300", "loans_books": "4800", "visits_virtual": ""},
        marks={"visits_virtual": "unknown"},
    )
    entry = AuditEntry.objects.filter(action="report.saved").latest("pk")
    changes = entry.changes
    assert changes["loans_total"] == {"before": "5200", "after": "5300"}
    assert changes["loans_books"] == {"before": "4700", "after": "4800"}
    assert changes["visits_virtual"] == {"before": "300", "after": "unknown"}
    assert changes["visits_total"] == {"before": "2700", "after": None}
    assert "users_total" not in changes  # unchanged cells are not listed
    assert changes["revision"] == {"before": 1, "after": 2}


# --- thresholds -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_threshold_change_is_audited_and_the_checks_follow_it(
    campaign, district_admin, report, reporter
):
    thresholds.set_thresholds(
        actor=district_admin,
        campaign=campaign,
        change_threshold=Decimal("0.3"),
        peer_threshold=Decimal("2.5"),
    )
    campaign.refresh_from_db()
    assert campaign.change_threshold == Decimal("0.30")
    assert campaign.peer_threshold == Decimal("2.5")
    entry = AuditEntry.objects.get(action="campaign.thresholds_changed")
    assert entry.changes == {
        "change_threshold": {"before": "0.50", "after": "0.30"},
        "peer_threshold": {"before": "3.5", "after": "2.5"},
    }


@pytest.mark.django_db
def test_a_threshold_out_of_range_is_refused_and_nothing_changes(
    campaign, district_admin, methodologist
):
    with pytest.raises(DomainError) as refused:
        thresholds.set_thresholds(
            actor=district_admin,
            campaign=campaign,
            change_threshold=Decimal("0"),
            peer_threshold=Decimal("3.5"),
        )
    assert refused.value.field == "change_threshold"
    with pytest.raises(PermissionDenied):
        thresholds.set_thresholds(
            actor=methodologist,
            campaign=campaign,
            change_threshold=Decimal("0.9"),
            peer_threshold=Decimal("3.5"),
        )
    campaign.refresh_from_db()
    assert campaign.change_threshold == Decimal("0.50")
    assert not AuditEntry.objects.filter(action="campaign.thresholds_changed")


@pytest.mark.django_db
def test_the_warning_count_per_threshold_matches_the_checks(
    campaign, district_admin, report, reporter, form, library
):
    from methodica.reporting.models import Campaign as CampaignModel

    # Last year: the same library, 1000 visits and 4000 loans.
    last_form = services.create_default_form(
        actor=district_admin, district=form.district, year=2024
    )
    last = CampaignModel.objects.create(
        form=last_form, deadline=campaign.deadline, state=CampaignModel.State.CLOSED
    )
    last_report = Report.objects.create(campaign=last, library=library)
    for code, number in {"visits_physical": 1000, "loans_total": 4000}.items():
        ReportValue.objects.create(
            report=last_report,
            indicator=last_form.indicators.get(code=code),
            number=number,
        )
    _r, findings, _e = saved(report, reporter)  # 2400 visits (+140%), 5200 loans (+30%)
    changes = {f.code for f in findings if f.code.startswith("change:")}
    assert changes == {"change:visits_physical"}
    counts = thresholds.change_warnings(
        campaign, [Decimal("0.25"), Decimal("0.5"), Decimal("2")]
    )
    assert counts == {Decimal("0.25"): 2, Decimal("0.5"): 1, Decimal("2"): 0}


# --- publishing and opening a campaign on a designed form ---------------------------------


@pytest.mark.django_db
def test_a_designed_form_is_published_then_its_campaign_opened(
    client_for, form, district_admin, library
):
    copy = design.copy_form(actor=district_admin, form=form, year=2026)
    client = client_for(district_admin)
    response = client.post("/reports/", {"year": 2026, "deadline": "2027-01-31"})
    assert response.status_code == 200  # the page again, saying why
    assert not Campaign.objects.filter(form=copy).exists()
    design.publish_form(actor=district_admin, form=copy)
    response = client.post("/reports/", {"year": 2026, "deadline": "2027-01-31"})
    assert response.status_code == 302
    assert Campaign.objects.get(form=copy).reports.filter(library=library).exists()


# --- the pages --------------------------------------------------------------------------


def designer_urls(form, campaign) -> list[tuple[str, str]]:
    section = form.sections.first()
    indicator = form.indicators.first()
    rule = form.rules.first()
    base = f"/reports/forms/{form.pk}"
    return [
        ("get", "/reports/forms/"),
        ("post", "/reports/forms/default/"),
        ("get", f"{base}/"),
        ("post", f"{base}/publish/"),
        ("get", f"{base}/sections/new/"),
        ("get", f"{base}/sections/{section.pk}/"),
        ("get", f"{base}/indicators/new/"),
        ("get", f"{base}/indicators/{indicator.pk}/"),
        ("post", f"{base}/indicators/{indicator.pk}/"),
        ("get", f"{base}/rules/new/"),
        ("get", f"{base}/rules/{rule.pk}/"),
        ("post", f"{base}/rules/check/"),
        ("post", f"{base}/indicator/{indicator.pk}/action/"),
        ("get", f"/reports/campaigns/{campaign.pk}/thresholds/"),
        ("post", f"/reports/campaigns/{campaign.pk}/thresholds/"),
    ]


@pytest.mark.django_db
def test_methodologists_and_reporters_cannot_reach_any_designer_page(
    client_for, methodologist, reporter, form, campaign
):
    indicators = form.indicators.count()
    for user in (methodologist, reporter):
        client = client_for(user)
        for method, url in designer_urls(form, campaign):
            response = getattr(client, method)(
                url, {"action": "remove", "year": "2030"}
            )
            assert response.status_code in (403, 404), (user, url)
    assert form.indicators.count() == indicators
    assert ReportForm.objects.count() == 1


@pytest.mark.django_db
def test_the_administrator_designs_through_the_pages(
    client_for, district_admin, form, campaign
):
    client = client_for(district_admin)
    for method, url in designer_urls(form, campaign):
        if method == "get":
            assert client.get(url).status_code == 200, url
    check = client.post(
        f"/reports/forms/{form.pk}/rules/check/", {"expression": "loans_total >"}
    )
    assert check.status_code == 200 and "alert-danger" in check.content.decode()
    indicator = form.indicators.get(code="events_count")
    response = client.post(
        f"/reports/forms/{form.pk}/indicators/{indicator.pk}/",
        {
            "section": indicator.section_id,
            "code": "events_count",
            "name_bg": "Културни събития",
            "value_type": "integer",
            "required": "on",
            "unit": "events",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.names == {"bg": "Културни събития"}
    response = client.post(
        f"/reports/forms/{form.pk}/rules/new/",
        {
            "code": "events_attended",
            "expression": "events_attendance >= events_cont",
            "severity": "soft",
            "active": "on",
        },
    )
    assert response.status_code == 400
    assert "events_cont" in response.content.decode()
    response = client.post(
        f"/reports/campaigns/{campaign.pk}/thresholds/",
        {"change_percent": "80", "peer_threshold": "4"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.change_threshold == Decimal("0.80")


@pytest.mark.django_db
def test_moving_an_indicator_renumbers_its_section(client_for, district_admin, form):
    users = list(form.sections.get(code="users").indicators.all())
    client_for(district_admin).post(
        f"/reports/forms/{form.pk}/indicator/{users[1].pk}/action/", {"action": "up"}
    )
    assert [i.code for i in form.sections.get(code="users").indicators.all()] == [
        users[1].code,
        users[0].code,
    ]


@pytest.mark.django_db
def test_the_designer_pages_run_a_constant_number_of_queries(
    client_for, district_admin, form, campaign
):
    client = client_for(district_admin)
    counts = []
    for year in (2026, 2027):
        design.copy_form(actor=district_admin, form=form, year=year)
        with count_queries() as list_queries:
            assert client.get("/reports/forms/").status_code == 200
        with count_queries() as page_queries:
            assert client.get(f"/reports/forms/{form.pk}/").status_code == 200
        counts.append((len(list_queries), len(page_queries)))
        design.save_section(
            actor=district_admin, form=form, code=f"extra{year}", names={"bg": "Още"}
        )
    assert counts[0] == counts[1]
    assert counts[0][0] <= 10 and counts[0][1] <= 11, counts


@pytest.mark.django_db
def test_the_peer_threshold_is_the_campaigns_and_its_flags_are_counted(
    district_admin, campaign, report, municipality
):
    from methodica.reporting.peers import peer_flags
    from tests.factories import LibraryFactory, SettlementFactory

    settlement = SettlementFactory(municipality=municipality)
    for n in range(6):  # six comparable chitalishta with ~25 loans per user
        peer = Report.objects.create(
            campaign=campaign, library=LibraryFactory(settlement=settlement)
        )
        services.save_report(
            report=peer,
            actor=district_admin,
            revision=0,
            cells=cells(
                {"loans_total": str(5200 + n * 40), "loans_books": str(4700 + n * 40)}
            ),
        )
        services.submit_report(report=peer, actor=district_admin, justifications={})
    # ours: 30 loans per user, a modified z-score of about 8
    services.save_report(
        report=report,
        actor=district_admin,
        revision=0,
        cells=cells({"loans_total": "6300", "loans_books": "5800"}),
    )
    services.submit_report(report=report, actor=district_admin, justifications={})
    assert [f.code for f in peer_flags(report)] == ["loans_per_user", "turnover"]
    assert thresholds.peer_warnings(campaign, [3.5, 10.0]) == {3.5: 2, 10.0: 0}
    thresholds.set_thresholds(
        actor=district_admin,
        campaign=campaign,
        change_threshold=campaign.change_threshold,
        peer_threshold=Decimal(10),
    )
    assert peer_flags(Report.objects.get(pk=report.pk)) == []


@pytest.mark.django_db
def test_the_history_import_computes_formulas_and_keeps_a_lone_total(
    client_for, district_admin, library, other_library
):
    from methodica.reporting.tests.test_history import upload_and_preview, workbook

    client = client_for(district_admin)
    _response, history = upload_and_preview(
        client,
        workbook(
            [(library.name, 900, 100, 5000), (other_library.name, 400, "", 450)],
            headers=("Библиотека", "visits_physical", "visits_virtual", "visits_total"),
        ),
    )
    assert history.preview["counts"] == {"ok": 2, "error": 0}
    client.post(f"/reports/history/{history.pk}/apply/")
    totals = dict(
        ReportValue.objects.filter(indicator__code="visits_total").values_list(
            "report__library_id", "number"
        )
    )
    # computed from its parts where they are there; the sheet's own total otherwise
    assert totals == {library.pk: Decimal(1000), other_library.pk: Decimal(450)}


@pytest.mark.django_db
def test_moving_the_first_section_up_changes_nothing(form, district_admin):
    first = form.sections.order_by("position", "id").first()
    version = form.version
    design.move_section(actor=district_admin, section=first, step=-1)
    form.refresh_from_db()
    assert form.version == version
    assert not AuditEntry.objects.filter(action="report_form.section_moved").exists()
    design.move_section(actor=district_admin, section=first, step=1)
    form.refresh_from_db()
    assert form.version == version + 1
    assert form.sections.order_by("position", "id")[1] == first
