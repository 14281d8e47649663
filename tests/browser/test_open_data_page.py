"""The public open-data page in a real browser: anonymous, and axe finds nothing."""

from __future__ import annotations

import datetime

import pytest

from methodica.reporting import open_data, services
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_open_data_page_is_public_and_accessible(
    page, settings, tmp_path, district_admin, district, library
):
    settings.MEDIA_ROOT = tmp_path
    form = services.create_default_form(
        actor=district_admin, district=district, year=2024
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    campaign = services.close_campaign(actor=district_admin, campaign=campaign)
    open_data.publish(campaign)
    response = page.goto("/open-data/")
    assert response.status == 200
    assert_accessible(page)
    name = "library-statistics-szr-2024.csv"
    with page.expect_download() as download:
        page.locator(f'a[href="/open-data/szr/2024/{name}"]').click()
    assert download.value.suggested_filename == name
    page.locator('a[href="/api/v1/open-data/2024/?district=SZR"]').click()
    assert "loans_total" in page.content()
