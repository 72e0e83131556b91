"""Learning journal screens: the journal list, a child's journal, a new observation, the picture of learning over time
(staff, tablet); the carer's journal and a wow moment (phone, 360 px). axe-core WCAG 2.2 A/AA, no sideways scrolling,
a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot
from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
DAY = dt.date(2026, 11, 16)


def _nursery(world):
    """A nursery with two children, observations over the term with a group observation and photos."""
    if getattr(world, "nursery", None) is not None:
        return world.nursery
    from keyworker.care import journals_services as services
    from keyworker.care.tests.journals_helpers import consent, jpeg, nursery_with_two

    n = nursery_with_two(world)
    consent(n.child)
    consent(n.child2)
    actor = world.actor(n.key_person)
    areas = (["eyfs.cl", "eyfs.psed"], ["eyfs.maths"], ["eyfs.pd", "eyfs.utw"], ["eyfs.ead", "eyfs.lit"])
    for i in range(8):
        services.observation_record(actor=actor, children=[n.child], observed_on=DAY - dt.timedelta(days=10 * i + 3),
                                    text=f"Poured water from jug to jug and counted to {5 + i}.", interests="water, pouring",
                                    schemas=["transporting"], areas=areas[i % 4])
    group = services.observation_record(
        actor=actor, children=[n.child, n.child2], observed_on=DAY, text="Built a bridge of blocks for the cars together.",
        interests="building, cars", schemas=["connecting"], areas=["eyfs.pd", "eyfs.maths"], photos=[jpeg(640, 480)],
        photo_description="The block bridge", next_step="Longer bridge outdoors with planks")
    services.journal_comment_add(link=n.carer, child=n.child, observation=group, text="He told us all about it!")
    services.wow_moment_send(link=n.carer, child=n.child, text="Put his shoes on by himself!")
    world.nursery, world.key_person = n, n.key_person
    return n


SCREENS = [
    Screen("journals-list", "key_person", lambda w: "/care/journals/", "Learning journals", prepare=_nursery),
    Screen("journals-journal", "key_person", lambda w: f"/care/journals/children/{w.nursery.child.pk}/",
           "Learning journal of Eli Evans", prepare=_nursery),
    Screen("journals-new", "key_person", lambda w: f"/care/journals/children/{w.nursery.child.pk}/new/", "New observation",
           prepare=_nursery),
    Screen("journals-chart", "key_person", lambda w: f"/care/journals/children/{w.nursery.child.pk}/chart/",
           "Learning over time: Eli Evans", prepare=_nursery),
]


@pytest.mark.parametrize("screen", [pytest.param(s, id=s.name) for s in SCREENS])
def test_journal_screen(world, open_page, screen: Screen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _nursery(world)
    check_screen(world, open_page, screen, "tablet")


def test_the_new_observation_form_shows_errors_next_to_the_fields(world, open_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    n = _nursery(world)

    def _submit_empty(page, w):
        page.get_by_label("What you saw and heard").fill("")
        page.locator("main").get_by_role("button", name="Save the observation").click()
        expect(page.get_by_text("This field is required.").first).to_be_visible()

    check_screen(world, open_page, Screen("journals-new-errors", "key_person",
                                          lambda w: f"/care/journals/children/{n.child.pk}/new/", "New observation",
                                          act=_submit_empty), "tablet")


def test_the_carers_journal_on_a_phone(world, browser, live_server, settings, tmp_path):
    from django.conf import settings as django_settings
    from django.test import Client

    from keyworker.testing import carer_account

    settings.MEDIA_ROOT = tmp_path
    n = _nursery(world)
    client = Client()
    client.force_login(carer_account(n.carer))
    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server.url, locale="en-GB",
                                  timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    try:
        for url, heading, name in ((f"/family/journal/{n.child.pk}/", "Eli's learning journal", "journals-portal-phone"),
                                   (f"/family/journal/{n.child.pk}/wow/", "Share a wow moment", "journals-portal-wow-phone")):
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            violations = axe_violations(page)
            assert violations == [], describe_violations(violations)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{name} scrolls sideways: {width}px"
            screenshot(page, name)
    finally:
        context.close()
