"""Allocating every family at once: the head opens the proposal from the allocation page, changes one row, applies
with a reason and sees the families allocated; at 768 px (a tablet upright), axe-core WCAG 2.2 A/AA, a screenshot."""

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

TABLET_UPRIGHT = {"width": 768, "height": 1024}


def _families(world):
    from keyworker.people.models import ProtectionStatus
    from keyworker.testing import make_child, make_family, make_group

    dunn = make_family(world.org, "The Dunn family")
    make_child(dunn, world.school, world.class_a, legal_first_name="Dara", legal_last_name="Dunn")
    make_child(dunn, world.school, world.class_b, legal_first_name="Dev", legal_last_name="Dunn")
    evans = make_family(world.org, "The Evans family")
    make_child(evans, world.school, world.class_b, legal_first_name="Eli", legal_last_name="Evans",
               protection_status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    fox = make_family(world.org, "The Fox family")
    make_child(fox, world.school, make_group(world.school, "Class 4", "Year 6"), legal_first_name="Fay", legal_last_name="Fox")
    return dunn, evans, fox


def _check(page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"


def test_the_head_allocates_everyone_at_768_px(world, browser, live_server):
    from keyworker.caseload.models import KeyWorkerAllocation

    dunn, evans, fox = _families(world)
    context = browser.new_context(viewport=TABLET_UPRIGHT, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, world.headteacher)
        page.goto("/allocation/")
        page.get_by_role("link", name="Propose a key worker for every family without one").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("A key worker for every family at Test Primary")
        expect(page.get_by_text("Class 4 has no teacher or teaching assistant on its team.")).to_be_visible()
        # The family under child protection is offered Ben Teacher only (never Sam, a teaching assistant of Beech).
        evans_select = page.get_by_label("Key worker for The Evans family")
        expect(evans_select.locator("option")).to_have_text(["Ben Teacher (proposed)", "Leave unallocated"])
        # Targets are large enough to tap.
        box = page.get_by_label("Key worker for The Dunn family").bounding_box()
        assert box and box["height"] >= 44
        _check(page, "allocate-everyone-768")

        page.get_by_label("Key worker for The Dunn family").select_option(label="Kim Keyworker")
        page.get_by_role("textbox", name="Reason").fill("First day of the school year")
        page.get_by_role("button", name="Allocate key workers").click()
        expect(page.get_by_role("status")).to_contain_text("3 families now have a key worker.")
        expect(page.get_by_role("row", name="The Dunn family")).to_have_count(0)
        expect(page.get_by_text("Class 4 has no teacher or teaching assistant on its team.")).to_be_visible()
        _check(page, "allocate-everyone-768-applied")
    finally:
        context.close()

    current = {a.family_id: a.staff_id for a in KeyWorkerAllocation.objects.filter(ends_at__isnull=True, setting=world.school)}
    assert current[dunn.pk] == world.ta_a.pk
    assert current[evans.pk] == world.teacher_b.pk
    assert world.family_unallocated.pk in current and fox.pk not in current
