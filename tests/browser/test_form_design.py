"""The form designer in a real browser: copy this year's form to the next, rename an
indicator, add a check with a typo, see why it is refused, fix it."""

from __future__ import annotations

import datetime

import pytest

from methodica.reporting import services
from methodica.reporting.models import ReportForm
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_prepares_next_years_form(
    page, district_admin, district, library, other_library
):
    form = services.create_default_form(
        actor=district_admin, district=district, year=2025
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    sign_in(page, "admin", PASSWORD)

    # From the reports' home page to the designer; copy 2025 to 2026.
    page.goto("/reports/")
    page.locator('a[href="/reports/forms/"]').click()
    page.wait_for_url("**/reports/forms/")
    assert_accessible(page)
    assert page.locator("#id_year").input_value() == "2026"
    page.locator("form:has(#id_year) button[type=submit]").click()
    page.wait_for_url("**/reports/forms/*/")
    copy = ReportForm.objects.get(district=district, year=2026)
    assert copy.state == ReportForm.State.DRAFT
    assert_accessible(page)

    # Rename an indicator.
    indicator = copy.indicators.get(code="events_count")
    page.locator(
        f'a[href="/reports/forms/{copy.pk}/indicators/{indicator.pk}/"]'
    ).click()
    page.wait_for_url(f"**/indicators/{indicator.pk}/")
    assert_accessible(page)
    page.fill("#id_name_bg", "Културни и образователни събития")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/reports/forms/{copy.pk}/")
    page.get_by_text("Културни и образователни събития").wait_for()
    indicator.refresh_from_db()
    assert indicator.names["bg"] == "Културни и образователни събития"
    assert indicator.replaces.form == form

    # A check with a typo is refused, saying where; fixed, it is saved.
    page.locator(f'a[href="/reports/forms/{copy.pk}/rules/new/"]').click()
    page.fill("#id_code", "events_attended")
    page.fill("#id_expression", "events_attendance >= events_cont")
    live = page.locator("#expression-check .alert-danger")  # checked while typing
    live.wait_for()
    assert "events_cont" in live.inner_text()
    page.select_option("#id_severity", "soft")
    page.fill("#id_message_bg", "Посетителите на събития са по-малко от събитията.")
    page.locator("main form button[type=submit]").click()
    error = page.locator("#id_expression_errors")
    error.wait_for()
    assert "events_cont" in error.inner_text() and "22" in error.inner_text()
    assert not copy.rules.filter(code="events_attended").exists()
    assert_accessible(page)
    page.fill("#id_expression", "events_attendance >= events_count")
    page.locator("#expression-check .alert-success").wait_for()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/reports/forms/{copy.pk}/")
    rule = copy.rules.get(code="events_attended")
    assert rule.severity == "soft" and rule.active

    # The thresholds of the open year, with the warnings they give.
    page.goto(f"/reports/campaigns/{campaign.pk}/thresholds/")
    assert_accessible(page)
