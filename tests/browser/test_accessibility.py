"""axe-core over every staff page of the register, as the district administrator."""

from __future__ import annotations

import pytest

from methodica.libraries import services
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_register_page_passes_axe(page, district_admin, library, other_library):
    StaffFactory(library=library, has_library_qualification=False)
    services.update_library(
        library=library, actor=district_admin, data={"phone": "0431 1"}
    )
    sign_in(page, "admin", PASSWORD)
    member = library.staff.get()
    for path in [
        f"/libraries/{library.pk}/",
        f"/libraries/{library.pk}/edit/",
        f"/libraries/{library.pk}/status/",
        f"/libraries/{library.pk}/history/",
        f"/libraries/{library.pk}/staff/new/",
        f"/libraries/{library.pk}/staff/{member.pk}/",
        "/libraries/new/",
        "/libraries/import/",
        "/accounts/invitations/",
        "/accounts/api-token/",
        "/audit/",
        "/reports/",
        "/reports/history/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)


def test_a_form_with_errors_passes_axe(page, district_admin, library):
    sign_in(page, "admin", PASSWORD)
    page.goto(f"/libraries/{library.pk}/edit/")
    page.get_by_label("Вторник").fill("17:00-09:00")
    page.get_by_role("button", name="Запазване").click()
    assert page.locator(".invalid-feedback").first.is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_register_in_russian_and_english_passes_axe(
    page, methodologist, library, language
):
    sign_in(page, "methodologist", PASSWORD)
    page.get_by_label("Език").select_option(language)
    page.get_by_role("button", name="Смяна").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    page.goto(f"/libraries/{library.pk}/")
    assert_accessible(page)
