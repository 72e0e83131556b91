"""Wellbeing screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 18)


def _agencies(world):
    from keyworker.wellbeing.models import Agency

    Agency.objects.create(organisation=world.org, name="Brookfield Community Food Bank", service="Emergency food parcels",
                          areas=["money"], phone="01632 960101", email="help@foodbank.example.org",
                          website="https://foodbank.example.org", area_covered="Brookfield and Northgate")
    Agency.objects.create(organisation=world.org, name="Early Help Hub", service="Family support plans with a lead professional",
                          areas=["family_breakdown", "money"], phone="01632 960107", area_covered="The whole borough",
                          notes="Early help assessment with the family's consent.")


def _concerns(world):
    from keyworker.wellbeing.models import Agency
    from keyworker.wellbeing.services import concern_raise, follow_up_record

    _agencies(world)
    concern = concern_raise(
        actor=world.actor(world.teacher_a), family=world.family_a, areas=["money", "housing"], indicators=["healthy", "nurtured"],
        what_noticed="Mum said she has lost her job and is worried about the rent; Alfie came in without breakfast twice.",
        children=[world.child_a], noticed_on=TODAY - dt.timedelta(days=6),
    )
    follow_up_record(actor=world.actor(world.ta_a), concern=concern, kind="family_contact", happened_on=TODAY - dt.timedelta(days=5),
                     note="Spoke to mum in the office and gave a food bank voucher; she agreed to an early help referral.")
    follow_up_record(actor=world.actor(world.headteacher), concern=concern, kind="referral", happened_on=TODAY - dt.timedelta(days=4),
                     agency=Agency.objects.get(name="Early Help Hub"), consent_given=True, reference="EH-2026-0412",
                     follow_up_on=TODAY + dt.timedelta(days=2))
    concern_raise(actor=world.actor(world.teacher_b), family=world.family_b, areas=["bereavement"], indicators=["nurtured"],
                  what_noticed="Bella's grandad died at the weekend and she has been very quiet and tearful today.")


def _concern_url(world):
    from keyworker.wellbeing.models import WellbeingConcern

    return f"/wellbeing/concerns/{WellbeingConcern.objects.get(family=world.family_a).pk}/"


def _submit_empty(page: Page, world):
    page.locator("main").get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _raise(page: Page, world):
    page.get_by_label("What have you noticed?").fill("Dad says the family must leave their flat by the end of the month.")
    page.get_by_label("Housing").check()
    page.get_by_label("Safe", exact=True).check()
    page.locator("main").get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("status")).to_contain_text("the leadership team has been told")


SCREENS = [
    Screen("wellbeing-choose-family", "teacher_a", lambda w: "/wellbeing/concerns/new/", "Raise a wellbeing concern"),
    Screen("wellbeing-raise", "ta_a", lambda w: f"/wellbeing/concerns/new/?family={w.family_a.pk}",
           "Raise a wellbeing concern about The Adams family"),
    Screen("wellbeing-raise-errors", "ta_a", lambda w: f"/wellbeing/concerns/new/?family={w.family_a.pk}",
           "Raise a wellbeing concern about The Adams family", act=_submit_empty),
    Screen("wellbeing-raised", "ta_a", lambda w: f"/wellbeing/concerns/new/?family={w.family_a.pk}",
           "Raise a wellbeing concern about The Adams family", act=_raise),
    Screen("wellbeing-concern", "ta_a", _concern_url, "Wellbeing concern about The Adams family", prepare=_concerns),
    Screen("wellbeing-concern-leader", "headteacher", _concern_url, "Wellbeing concern about The Adams family", prepare=_concerns),
    Screen("wellbeing-concern-outsider", "teacher_b", _concern_url, None, status=404, prepare=_concerns),
    Screen("wellbeing-concerns", "ta_a", lambda w: "/wellbeing/concerns/", "Wellbeing concerns", prepare=_concerns),
    Screen("wellbeing-concerns-empty", "admin_office", lambda w: "/wellbeing/concerns/", "Wellbeing concerns"),
    Screen("wellbeing-board", "headteacher", lambda w: "/wellbeing/", "Wellbeing board", prepare=_concerns),
    Screen("wellbeing-board-empty", "deputy", lambda w: "/wellbeing/", "Wellbeing board"),
    Screen("wellbeing-board-forbidden", "ta_a", lambda w: "/wellbeing/", None, status=403),
    Screen("agency-directory", "ta_a", lambda w: "/wellbeing/agencies/", "Agency directory", prepare=_agencies),
    Screen("agency-directory-leader", "headteacher", lambda w: "/wellbeing/agencies/?area=money", "Agency directory",
           prepare=_agencies),
    Screen("agency-directory-empty", "admin_office", lambda w: "/wellbeing/agencies/", "Agency directory"),
    Screen("agency-add", "admin_office", lambda w: "/wellbeing/agencies/new/", "Add an agency"),
    Screen("agency-add-forbidden", "ta_a", lambda w: "/wellbeing/agencies/new/", None, status=403),
    Screen("my-week-wellbeing", "ta_a", lambda w: "/my-week/", "My week", prepare=_concerns),
]

# What a key worker does on a tablet or phone, and what a leader reads, checked again at phone width.
MAIN = {"wellbeing-raise", "wellbeing-concern", "wellbeing-board", "agency-directory", "my-week-wellbeing"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_wellbeing_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
