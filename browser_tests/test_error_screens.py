"""Keyworker's own pages for an address that is not there (404) and an unexpected error (500). axe-core WCAG 2.2
A/AA, no sideways scrolling, a screenshot each (tablet width)."""

import pytest

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

NOT_FOUND = Screen("error-not-found", "ta_a", lambda w: "/no-such-page/", "Page not found", status=404)
SERVER_ERROR = Screen("error-server", "ta_a", lambda w: "/boom/", "Sorry, something went wrong", status=500)


def test_page_not_found(world, open_page):
    check_screen(world, open_page, NOT_FOUND)


def test_unexpected_error(world, open_page, settings):
    settings.ROOT_URLCONF = "keyworker.core.tests.test_error_pages"  # Keyworker's pages and one that fails
    check_screen(world, open_page, SERVER_ERROR)
