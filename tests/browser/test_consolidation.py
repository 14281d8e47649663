"""The consolidation in a real browser: a methodologist narrows it to the chitalishte
libraries, then reads the ranking and the map (with the keyboard too)."""

from __future__ import annotations

import datetime
import json

import pytest

from methodica.libraries import services as register
from methodica.libraries.models import Library
from methodica.reporting import services
from methodica.reporting.models import Report
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, LibraryFactory, SettlementFactory
from tests.report_data import cells

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Explained(dict):
    def get(self, key, default=None):
        return "Checked with the library by phone."


def square(lon: float, lat: float) -> dict:
    ring = [[lon, lat], [lon + 0.2, lat], [lon + 0.2, lat + 0.2], [lon, lat + 0.2]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_methodologist_ranks_and_maps_the_chitalishte_libraries(
    page,
    district_admin,
    methodologist,
    district,
    municipality,
    other_municipality,
    library,
    other_library,
):
    town = SettlementFactory(municipality=municipality, name="Казанлък", kind="town")
    municipal = LibraryFactory(
        settlement=town,
        name="Общинска библиотека „Искра“",
        library_type=Library.Type.MUNICIPAL,
    )
    form = services.create_default_form(
        actor=district_admin, district=district, year=2025
    )
    campaign = services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )
    for lib, total in [(library, 5200), (other_library, 3000), (municipal, 20000)]:
        report = Report.objects.get(campaign=campaign, library=lib)
        figures = {
            "loans_total": str(total),
            "loans_books": str(total - 500),
            "loans_children": str(total // 4),
        }
        services.save_report(
            report=report, actor=methodologist, cells=cells(figures), revision=0
        )
        services.submit_report(
            report=report, actor=methodologist, justifications=Explained()
        )
        services.accept_report(report=report, actor=methodologist)
    register.load_boundaries(
        actor=district_admin,
        district=district,
        data=json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": m.code},
                        "geometry": square(25.2 + 0.2 * n, 42.4),
                    }
                    for n, m in enumerate([municipality, other_municipality])
                ],
            }
        ).encode(),
    )

    sign_in(page, "methodologist", PASSWORD)
    page.goto(f"/reports/campaigns/{campaign.pk}/consolidation/")
    # By id: the labels are translated, and these are new strings.
    page.locator("#set-type").select_option("chitalishte")
    page.locator("form[aria-labelledby='h-set'] button[type='submit']").click()
    page.wait_for_url("**type=chitalishte**")

    # The ranking: the two chitalishte libraries, highest first, as bars and a table.
    page.locator("#ranking-chart[data-bars='2']").wait_for(state="attached")
    rows = page.locator("#ranking-table tbody tr")
    assert rows.count() == 2
    assert library.name in rows.nth(0).inner_text()
    assert other_library.name in rows.nth(1).inner_text()
    assert municipal.name not in page.locator("#ranking-table").inner_text()

    # The map: both municipalities shaded, each reachable with the keyboard.
    page.locator("#consolidation-map[data-loaded='2']").wait_for(state="attached")
    shapes = page.locator("#consolidation-map path[role='button']")
    assert shapes.count() == 2
    shapes.first.focus()
    assert "Казанлък" in page.locator("#map-info").inner_text() or "Чирпан" in (
        page.locator("#map-info").inner_text()
    )
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for()
    assert page.locator("#map-table tbody tr").count() == 2
    assert_accessible(page)
