"""A screen to check: a page, for the persona it is for, with the data it needs; and the check itself.

Each app's browser module lists its screens and parametrizes `check_screen` over them; test_accessibility holds
the shared pages'.
"""

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in


@dataclass(frozen=True)
class Screen:
    name: str
    persona: str | None           # attribute of the world, or None for a signed-out visitor
    path: Callable                # world -> URL path
    heading: str | None           # the page's h1; None where the page is still being built
    status: int = 200
    prepare: Callable | None = None   # world -> None: data the page needs
    act: Callable | None = None       # (page, world) -> None: what the visitor does on the page before the check


def _visit(page: Page, world, screen: Screen):
    if screen.persona == "newcomer":
        from keyworker.accounts.models import User

        sign_in(page, User.objects.get(email="newcomer@example.org"))
    elif screen.persona:
        sign_in(page, getattr(world, screen.persona))
    return page.goto(screen.path(world))


def check_screen(world, open_page, screen: Screen, viewport: str = "tablet") -> None:
    """Open the screen as its persona; check status, heading, axe-core and width; keep a screenshot."""
    if screen.prepare:
        screen.prepare(world)
    page = open_page(viewport)
    response = _visit(page, world, screen)

    assert response.status == screen.status, f"{screen.name}: HTTP {response.status}"
    if screen.heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(screen.heading)
    if screen.act:
        screen.act(page, world)
        page.wait_for_load_state("load")  # the page a form posted to, stylesheet and all

    name = screen.name if viewport == "tablet" else f"{screen.name}-{viewport}"
    screenshot(page, name)
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe-core found {len(violations)} WCAG violation(s) on {name} ({page.url}):\n"
                        + describe_violations(violations))
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                 .filter(el => !el.closest('.table-scroll') || ['absolute', 'fixed'].includes(getComputedStyle(el).position))
                 .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""
        )
        problems.append(f"{name} scrolls sideways: {width[0]}px of content in {width[1]}px. Too wide: {wide}")
    assert not problems, "\n\n".join(problems)
