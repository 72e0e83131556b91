"""The manager's monitoring screens (CC-M3) at tablet width, for the persona each is for: the monitoring view, a
quality sample being scored, a signed-off sample, a key person's findings and My week. axe-core WCAG 2.2 A/AA, no
sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

AS_OF = dt.date(2026, 11, 18)
LAST_MONTH = dt.date(2026, 10, 20)
ALL_GOOD = {"up_to_date": "good", "child_voice": "good", "next_steps": "good", "high_standard": "good"}


@pytest.fixture(autouse=True)
def _sources():
    from keyworker.care.monitoring_sources import register_monitoring_source, unregister_monitoring_source
    from keyworker.care.tests.monitoring_helpers import JOURNALS, PLANS

    register_monitoring_source(JOURNALS)
    register_monitoring_source(PLANS)
    yield
    unregister_monitoring_source("journal")
    unregister_monitoring_source("care_plan")


def _nursery(world):
    """A nursery of eight children, last month's sample signed off (one finding acknowledged) and this month's in
    progress with one record scored."""
    from keyworker.accounts.access import actor_for
    from keyworker.care import monitoring_services as services
    from keyworker.care.models_monitoring import MonitoringFinding
    from keyworker.care.tests.monitoring_helpers import make_nursery

    nursery = make_nursery(world, 8)
    world.nursery = nursery
    world.nursery_manager, world.nursery_key_person = nursery.manager, nursery.key_person
    actor = actor_for(nursery.manager.user)
    kids = nursery.children
    last = services.sample_start(actor=actor, setting=nursery.setting, as_of=LAST_MONTH,
                                 records=[f"journal:{kids[0].pk}", f"care_plan:{kids[1].pk}", f"journal:{kids[2].pk}"])
    for n, item in enumerate(last.items.order_by("id")):
        services.item_score(actor=actor, sample=last, item_id=item.pk,
                            scores={**ALL_GOOD, "child_voice": "needs_work"} if n == 0 else ALL_GOOD,
                            comment="Add the child's own words to each observation." if n == 0 else "")
    services.sample_sign_off(actor=actor, sample=last, as_of=LAST_MONTH)
    findings = list(MonitoringFinding.objects.filter(item__sample=last, staff=nursery.key_person).order_by("id"))
    services.finding_acknowledge(actor=actor_for(nursery.key_person.user), finding=findings[-1])
    world.last_sample, world.waiting_finding = last, findings[0]


def _in_progress(world):
    from keyworker.accounts.access import actor_for
    from keyworker.care import monitoring_services as services

    _nursery(world)
    actor = actor_for(world.nursery_manager.user)
    kids = world.nursery.children
    current = services.sample_start(actor=actor, setting=world.nursery.setting, as_of=AS_OF,
                                    records=[f"journal:{kids[3].pk}", f"journal:{kids[4].pk}"])
    services.item_score(actor=actor, sample=current, item_id=current.items.order_by("id").first().pk, scores=ALL_GOOD)
    world.current_sample = current


def _sign_off_unscored(page: Page, world):
    page.locator("main").get_by_role("button", name="Sign off the sample").click()
    expect(page.get_by_role("alert")).to_contain_text("Score every record before signing off")


def _score_without_comment(page: Page, world):
    section = page.locator(".panel").nth(1)
    for fieldset in section.locator("fieldset").all():
        fieldset.get_by_label("Missing").check()
    section.get_by_role("button", name="Save the scores").click()
    expect(page.get_by_role("alert").first).to_contain_text("There is a problem")


def _acknowledge(page: Page, world):
    page.locator("main").get_by_role("button", name="I have read these findings").click()
    expect(page.locator(".messages")).to_contain_text("Findings acknowledged")


SCREENS = [
    Screen("monitoring-view", "nursery_manager", lambda w: f"/care/monitoring/{w.nursery.setting.pk}/",
           "Monitoring journals and care plans: Little Acorns", prepare=_nursery),
    Screen("monitoring-view-offered", "nursery_manager", lambda w: f"/care/monitoring/{w.nursery.setting.pk}/?size=4",
           "Monitoring journals and care plans: Little Acorns", prepare=_nursery),
    Screen("monitoring-view-filtered", "nursery_manager",
           lambda w: f"/care/monitoring/{w.nursery.setting.pk}/?out_of_date=on&key_person={w.nursery_key_person.pk}",
           "Monitoring journals and care plans: Little Acorns", prepare=_in_progress),
    Screen("monitoring-sample", "nursery_manager", lambda w: f"/care/monitoring/samples/{w.current_sample.pk}/",
           "Quality sample of November 2026", prepare=_in_progress),
    Screen("monitoring-sample-sign-off-refused", "nursery_manager",
           lambda w: f"/care/monitoring/samples/{w.current_sample.pk}/", "Quality sample of November 2026",
           prepare=_in_progress, act=_sign_off_unscored),
    Screen("monitoring-sample-score-problem", "nursery_manager",
           lambda w: f"/care/monitoring/samples/{w.current_sample.pk}/", "Quality sample of November 2026",
           prepare=_in_progress, act=_score_without_comment),
    Screen("monitoring-sample-signed-off", "nursery_manager", lambda w: f"/care/monitoring/samples/{w.last_sample.pk}/",
           "Quality sample of October 2026", prepare=_nursery),
    Screen("monitoring-finding", "nursery_key_person", lambda w: f"/care/monitoring/findings/{w.waiting_finding.pk}/",
           None, prepare=_nursery),
    Screen("monitoring-finding-acknowledged", "nursery_key_person",
           lambda w: f"/care/monitoring/findings/{w.waiting_finding.pk}/", None, prepare=_nursery, act=_acknowledge),
    Screen("monitoring-my-week-findings", "nursery_key_person", lambda w: "/my-week/", "My week", prepare=_nursery),
    Screen("monitoring-view-key-person", "nursery_key_person", lambda w: f"/care/monitoring/{w.nursery.setting.pk}/",
           None, status=404, prepare=_nursery),
]


@pytest.mark.parametrize("screen", [pytest.param(s, id=s.name) for s in SCREENS])
def test_monitoring_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
