"""Browser tests: Debian's Chromium, headless, driven by Playwright, checked by axe-core."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("METHODICA_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from it. The live server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/setup --with-browser"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.MAP_TILE_URL = ""
    # Reduced motion turns off Bootstrap's colour transitions, which axe could
    # otherwise sample half-way and report as low contrast.
    context = browser.new_context(
        base_url=live_server.url, locale="bg-BG", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    outside: list[str] = []
    host = urlsplit(live_server.url).netloc

    def only_our_server(route):
        if urlsplit(route.request.url).netloc != host:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_our_server)
    page.outside_requests = outside
    yield page
    context.close()
    assert not outside, f"the page tried to reach other hosts: {outside}"


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical WCAG violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
            },
            "resultTypes": ["violations"],
        },
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not serious, f"{page.url}: " + "; ".join(serious)


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Потребителско име").fill(username)
    page.get_by_label("Парола").fill(password)
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url("**/libraries/")
