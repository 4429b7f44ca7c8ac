"""Browser journeys in real Chromium (Debian's, launched by its path) through Playwright, against
Django's live server. `make test` and CI install Chromium; without it these tests skip, unless
PEKEN_REQUIRE_BROWSER is set (CI sets it), when they fail."""

import os

import pytest

from browser_steps import PHONE, chromium_path
from conftest import ensure_reference_data

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# for their setup are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("PEKEN_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (PEKEN_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server's address, with the regions and catalog defaults loaded."""
    ensure_reference_data()
    return live_server.url


@pytest.fixture
def phone(browser, site):
    """A fresh 360×800 phone session; `phone.goto("/cari/")` is relative to the live server."""
    context = browser.new_context(viewport=PHONE, locale="id-ID", base_url=site)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
