"""The annual report's main flow in a real browser: fill, warn, justify, return, fix,
resubmit, accept, consolidate."""

from __future__ import annotations

import datetime

import pytest

from methodica.reporting import services
from methodica.reporting.models import Report
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.report_data import GOOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="Изход").click()
    page.wait_for_url("**/accounts/login/**")


def test_a_report_from_draft_to_the_consolidation(
    page, district_admin, district, reporter, methodologist, library, other_library
):
    form = services.create_default_form(
        actor=district_admin, district=district, year=2025
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    report = Report.objects.get(campaign=campaign, library=library)

    # 1. The reporter fills in the report; the stock does not balance (a warning).
    sign_in(page, "reporter", PASSWORD)
    page.goto(f"/reports/{report.pk}/")
    assert_accessible(page)
    figures = {**GOOD, "collection_end": "12300", "collection_books": "11700"}
    for code, text in figures.items():
        page.fill(f"#v_{code}", text)
    page.get_by_role("button", name="Запазване").click()
    page.get_by_text("Предупреждения, които изискват обосновка").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Подаване на отчета").click()
    page.get_by_text("обосновете всяко предупреждение").wait_for()
    page.locator("#j_stock_balance").fill(
        "Дарение от 200 тома, описано в края на годината."
    )
    page.get_by_role("button", name="Подаване на отчета").click()
    page.get_by_text("Отчетът е подаден").wait_for()
    sign_out(page)

    # 2. The methodologist returns it with a comment on visits.
    sign_in(page, "methodologist", PASSWORD)
    page.goto(f"/reports/campaigns/{campaign.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name=library.name).click()
    assert page.get_by_text("Дарение от 200 тома").is_visible()
    page.locator("#general").fill("Проверете посещенията: изглеждат високи.")
    page.get_by_role("button", name="Връщане с коментари").click()
    page.get_by_text("Отчетът е върнат").wait_for()
    sign_out(page)

    # 3. The reporter sees the comment, fixes the figure and resubmits.
    sign_in(page, "reporter", PASSWORD)
    page.goto(f"/reports/{report.pk}/")
    assert page.get_by_text("Проверете посещенията").is_visible()
    page.fill("#v_visits_physical", "2100")
    page.get_by_role("button", name="Запазване").click()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Подаване на отчета").click()
    page.get_by_text("Отчетът е подаден").wait_for()
    sign_out(page)

    # 4. The methodologist accepts it, and the consolidation shows the new figures.
    sign_in(page, "methodologist", PASSWORD)
    page.goto(f"/reports/{report.pk}/")
    page.get_by_role("button", name="Приемане").click()
    page.get_by_text("Отчетът е приет").wait_for()
    page.goto(f"/reports/campaigns/{campaign.pk}/consolidation/")
    page.locator("#series-chart[data-points='1']").wait_for(state="attached")
    assert_accessible(page)
    row = page.locator("tr", has=page.locator("text=visits_physical"))
    assert "2100" in row.inner_text().replace("\u00a0", "").replace(" ", "")
    assert "1/2" in row.inner_text()
