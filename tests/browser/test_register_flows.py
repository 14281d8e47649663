"""The main register flows, in a real browser."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from methodica.core.models import AuditEntry
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, LibraryFactory, SettlementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_methodologist_filters_the_register_edits_a_library_and_sees_the_audit_entry(
    page, methodologist, library, other_library, municipality
):
    LibraryFactory(
        settlement=SettlementFactory(municipality=municipality, name="Енина"),
        name="НЧ „Искра – 1880“",
        latitude=None,
        longitude=None,
    )
    sign_in(page, "methodologist", PASSWORD)
    assert_accessible(page)
    page.get_by_label("Община").select_option(label="Казанлък")
    page.wait_for_url(f"**municipality={municipality.pk}**")
    assert page.get_by_role("link", name=library.name).is_visible()
    assert page.get_by_role("link", name=other_library.name).count() == 0
    page.get_by_label("Търсене").fill("Шейново")
    page.get_by_role("link", name="НЧ „Искра – 1880“").wait_for(state="detached")
    assert_accessible(page)

    page.get_by_role("link", name=library.name).click()
    page.wait_for_url(f"**/libraries/{library.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Редактиране").click()
    assert_accessible(page)
    page.get_by_label("Телефон").fill("0431 64 000")
    page.get_by_role("button", name="Запазване").click()
    page.wait_for_url(f"**/libraries/{library.pk}/")
    assert page.get_by_text("0431 64 000").first.is_visible()

    page.get_by_role("link", name="История").click()
    assert_accessible(page)
    assert page.get_by_text("0431 64 000").first.is_visible()
    assert AuditEntry.objects.get(action="library.changed").actor == methodologist


def test_the_map_shows_the_libraries_without_fetching_tiles(
    page, methodologist, library, other_library
):
    sign_in(page, "methodologist", PASSWORD)
    page.goto("/libraries/map/")
    page.wait_for_selector("#register-map[data-loaded='2']")
    assert page.locator(".leaflet-interactive").count() == 2
    assert_accessible(page)


def test_a_reporter_is_refused_another_librarys_page_and_api(
    page, reporter, library, other_library
):
    sign_in(page, "reporter", PASSWORD)
    assert page.get_by_role("link", name=library.name).is_visible()
    assert page.get_by_role("link", name=other_library.name).count() == 0
    response = page.goto(f"/libraries/{other_library.pk}/")
    assert response.status == 404
    token = Token.objects.create(user=reporter)
    api = page.request.get(
        f"/api/v1/libraries/{other_library.pk}/",
        headers={"Authorization": f"Token {token.key}"},
    )
    assert api.status == 404
    own = page.request.get(
        f"/api/v1/libraries/{library.pk}/",
        headers={"Authorization": f"Token {token.key}"},
    )
    assert own.status == 200


def test_the_sign_in_page_and_language_switch(page, methodologist):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "bg"
    page.get_by_label("Език").select_option("en")
    page.get_by_role("button", name="Смяна").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
