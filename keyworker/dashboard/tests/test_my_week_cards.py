"""My week reads as cards: one per family, with the family's preferred contact method and, for each duty, the one
action that meets it; dates as the glossary writes them; the same number of queries for one family or several."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.dashboard.tests.test_my_week_actions import duties, oblige  # noqa: F401 - the fixture is used
from keyworker.testing import allocate, make_family

pytestmark = pytest.mark.django_db
D = dt.date


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="week-card">(.*?)</ul>\s*</li>', html, re.S)


def test_one_card_per_family_with_the_preferred_method_and_one_action_per_duty(world, client_for, duties):  # noqa: F811
    child = world.child_a
    oblige(world, duties["SCH-4"], due_on=D(2026, 11, 20), period_start=D(2026, 11, 16), period_end=D(2026, 11, 22))
    oblige(world, duties["SCH-3"], child=child, due_on=D(2026, 11, 19), event="kac1")
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    due = html[html.index('id="due-h"'):]
    found = cards(due)
    assert len(found) == 1, "both duties of the Adams family sit on one card"
    card = found[0]
    assert "The Adams family" in card and "Prefers: <strong>Phone call</strong>" in card
    assert card.count('class="duty"') == 2 and card.count('class="button duty__action"') == 2
    assert ">Log contact<" in card and ">Mark as read<" in card
    # The plain title first, the clause after it; the child the duty is about; the date as the glossary writes it.
    assert 'Weekly contact <span class="clause">(SCH-4)</span>' in card and "For Alfie Adams" in card
    assert "due Fri 20 November 2026" in card and "due Thu 19 November 2026" in card
    assert "(2 duties)" in html


def test_a_duty_offers_no_second_action_and_the_heading_counts_duties_in_words(world, client_for, duties):  # noqa: F811
    oblige(world, duties["SCH-4"], due_on=D(2026, 11, 20), period_start=D(2026, 11, 16), period_end=D(2026, 11, 22))
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    card = cards(html[html.index('id="due-h"'):])[0]
    assert card.count('class="button duty__action"') == 1
    assert "(1 duty)" in html and "1 duties" not in html
    assert "Due by Sun 22 November 2026." in html


def test_cards_cost_no_query_more_with_more_families(world, client_for, duties):  # noqa: F811
    oblige(world, duties["SCH-4"], due_on=D(2026, 11, 20), period_start=D(2026, 11, 16))
    client = client_for(world.ta_a)
    client.get("/my-week/")
    with CaptureQueriesContext(connection) as one:
        client.get("/my-week/")
    for n in range(4):
        family = make_family(world.org, f"The Extra{n} family")
        allocate(family, world.school, world.ta_a)
        oblige(world, duties["SCH-4"], family=family, due_on=D(2026, 11, 20), period_start=D(2026, 11, 16))
    with CaptureQueriesContext(connection) as five:
        r = client.get("/my-week/")
    assert len(cards(r.content.decode())) == 5
    assert len(five) == len(one)
