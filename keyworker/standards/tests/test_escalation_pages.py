"""Where a leader's summary leads: the escalated obligations of a day and a clause, as far as the person may see."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.notifications.models import Notification
from keyworker.standards.escalation import SUMMARY_KIND, escalations_notify
from keyworker.standards.models import Cadence
from keyworker.standards.tests.test_escalation import (
    NOW,
    escalate,
    make_standard,
    register_fakes,
    unregister_fakes,
)
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fakes():
    register_fakes()
    yield
    unregister_fakes()


@pytest.fixture
def check(world):
    standard = make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence=Cadence.HALF_TERMLY,
                             evidence="test_check", escalate_after_days=10, escalate_to_roles=["deputy_headteacher"])
    escalate(world)
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    return standard


def test_the_summary_links_to_the_days_escalations_of_its_clause(world, client_for, check):
    summary = Notification.objects.get(recipient=world.deputy.user, kind=SUMMARY_KIND)
    client = client_for(world.deputy)
    page = client.get(summary.link).content.decode()
    assert "Escalated on Wed 18 November 2026" in page and "3 obligations, by clause" in page
    url = f"/obligations/escalated/?on=2026-11-18&standard={check.pk}"
    assert url in summary.body
    page = client.get(url).content.decode()
    assert "Half-termly data check (SCH-2)" in page
    assert "The Adams family" in page and "The Brown family" in page and "The Cole family" in page
    assert "Kim Keyworker" in page and "No key worker" in page and "Escalated" in page
    # Another day lists none of them.
    assert "No escalated obligations here." in client.get("/obligations/escalated/?on=2026-11-17").content.decode()


def test_a_key_worker_sees_only_the_families_they_may_see(world, client_for, check):
    page = client_for(world.ta_a).get(f"/obligations/escalated/?standard={check.pk}").content.decode()
    assert "The Adams family" in page and "The Cole family" in page  # their class's families
    assert "The Brown family" not in page


def test_an_outsider_gets_not_found_and_sees_nothing(world, client_for, check):
    client = client_for(world.outsider)
    assert client.get(f"/obligations/escalated/?standard={check.pk}").status_code == 404
    page = client.get("/obligations/escalated/").content.decode()
    assert "The Adams family" not in page and "No escalated obligations here." in page
    assert client_for(world.deputy).get("/obligations/escalated/?standard=abc").status_code == 404


def test_a_bad_date_is_a_message_not_an_error(world, client_for, check):
    response = client_for(world.deputy).get("/obligations/escalated/?on=18th")
    assert response.status_code == 200 and "is not a date written 2026-11-18" in response.content.decode()


def test_the_page_uses_the_same_queries_for_more_obligations(world, client_for, check):
    client = client_for(world.deputy)
    url = f"/obligations/escalated/?on=2026-11-18&standard={check.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(6):
        family = make_family(world.org, f"The Extra{i} family")
        make_child(family, world.school, world.class_b, legal_first_name=f"Extra{i}", legal_last_name="Extra")
        allocate(family, world.school, world.teacher_b)
    escalate(world)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "The Extra5 family" in page and len(many) == len(few)
    assert dt.date(2026, 11, 18)  # the day of the summary
