"""Browser tests: headless Chromium (Debian's package, never a downloaded browser) against the live server.

Every test here is marked `browser`. Without Chromium they are skipped, unless KEYWORKER_REQUIRE_BROWSER=1,
when they fail instead, so that a CI run cannot pass without having opened a single page.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KEYWORKER_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("KEYWORKER_REQUIRE_BROWSER", "") == "1"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent / "artifacts"

WORLD_NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)  # the root conftest's FIXED_NOW

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 820, "height": 1180},
    "tablet-portrait": {"width": 768, "height": 1024},
    "tablet-768": {"width": 768, "height": 1024},
    "desktop": {"width": 1280, "height": 900},
}


def _missing_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (install Debian's chromium package or set KEYWORKER_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    reason = _missing_browser_reason()
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason and not REQUIRE_BROWSER:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    reason = _missing_browser_reason()
    if reason:
        # Only reached with KEYWORKER_REQUIRE_BROWSER=1: otherwise the tests were skipped at collection.
        pytest.fail(f"KEYWORKER_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:
            if REQUIRE_BROWSER:
                pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
            pytest.skip(f"Chromium at {CHROMIUM} did not start: {exc}")
        yield chromium
        chromium.close()


@pytest.fixture
def clock():
    """The fixed date of the persona world, with time running on, so that the browser's waits keep working."""
    import time_machine

    with time_machine.travel(WORLD_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(transactional_db, clock, live_server):
    """The persona world (keyworker.testing.make_world), committed so that the live server sees it."""
    from django.urls import get_resolver

    from keyworker.testing import make_world

    # Load every page's module here, not in the live server's first request (seconds on a busy machine: the first
    # page of a run could miss its 10-second wait).
    _ = get_resolver().url_patterns
    return make_world()


@pytest.fixture
def open_page(request, browser, live_server):
    """`open_page("tablet")` gives a page in a fresh browser context (no cookies) of that viewport."""
    contexts = []

    def _open(viewport: str = "tablet"):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], base_url=live_server.url, locale="en-GB", timezone_id="Europe/London",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(folder / f"{stem}-{n}-{m}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page("tablet")

