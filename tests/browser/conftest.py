"""Browser-test fixtures: a headless Debian Chromium driven by Playwright against pytest-django's live_server.

Use ``browser_page`` (a fresh context and page per test, screenshot to test-artifacts/ on failure) and
``browser_login`` (log a user in through the real login form). Tests using them need ``transactional_db``
and are marked ``@pytest.mark.browser``.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1440, "height": 900}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test item so fixtures can tell a failed test at teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _sync_api():
    """Playwright's sync API; missing it skips locally and fails in CI, like any service a test needs."""
    try:
        from playwright import sync_api
    except ImportError:
        from tests.conftest import service_missing

        service_missing("browser tests need Playwright (make install)")
    return sync_api


@pytest.fixture
def expect():
    """Playwright's ``expect`` (auto-waiting assertions)."""
    return _sync_api().expect


@pytest.fixture
def chromium_browser():
    """A Chromium for one test; skipped locally (failed in CI) when Playwright or Chromium is missing.

    Function-scoped on purpose: Playwright's sync API allows one running instance per thread, and other
    browser tests may start their own.
    """
    sync_api = _sync_api()
    if not Path(CHROMIUM).exists():
        from tests.conftest import service_missing

        service_missing(f"browser tests need {CHROMIUM} (make browser-deps)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser, live_server, request):
    """A Playwright page in a fresh context (own cookies) with ``base_url`` set to the live server.

    ``page.goto("/inbox/")`` works with relative URLs; open more tabs of the same session with
    ``browser_page.context.new_page()``. On failure a full-page screenshot of every open tab goes to
    test-artifacts/<test name>[-<n>].png.
    """
    context = chromium_browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = any(
        getattr(request.node, f"rep_{when}", None) and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for n, open_page in enumerate(context.pages):
            suffix = f"-{n}" if n else ""
            try:
                open_page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
            except Exception as exc:  # noqa: BLE001 - a broken page must not hide the test's own failure
                print(f"could not screenshot {open_page.url}: {exc}")
    context.close()
    # The test body's ORM calls run while Playwright's sync API drives its event loop on this thread, and the
    # connection they opened outlived the test: pytest-django's teardown did not close it, so the test database
    # could not be dropped at the end of the run ("being accessed by other users"). Closed here.
    connections.close_all()


@pytest.fixture
def browser_login():
    """``browser_login(page, username, password)``: sign in through the login form and wait for the desk."""

    def login(page, username: str, password: str = "pass-word-1", next_url: str = "/inbox/"):
        page.goto(f"/login/?next={next_url}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{next_url}")
        return page

    return login
