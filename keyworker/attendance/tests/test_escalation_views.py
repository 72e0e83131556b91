"""Attendance concern pages per persona: leaders see, the key worker sees their own child's, another teacher and an
outsider find nothing (404), the office has no list (403); logging and closing; the tiers page and its checks."""

import datetime as dt

import pytest
from django.urls import reverse

from keyworker.attendance import escalation
from keyworker.attendance.models import AttendanceConcern, AttendanceTier, ConcernAction
from keyworker.testing import make_child, make_family

from .test_escalation import NOV_13, absent_days, marks


@pytest.fixture
def concern(world):
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    escalation.concerns_evaluate(organisation_id=world.org.pk, as_of=NOV_13)
    return AttendanceConcern.objects.get(child=world.child_a)


def detail(concern):
    return reverse("attendance:concern", args=[concern.pk])


@pytest.mark.parametrize("persona", ["deputy", "headteacher", "key_worker"])
def test_concern_page_for_leaders_and_the_key_worker(world, client_for, concern, persona):
    response = client_for(world.personas[persona]).get(detail(concern))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Attendance concern: Alfie Adams" in body and "Persistent absence" in body and "90.0%" in body
    assert "Action log" in body and "Concern opened" in body and "Log the action" in body
    assert ("Close the concern" in body) == (persona != "key_worker")


@pytest.mark.parametrize("persona", ["teacher_b", "outsider", "teacher_a", "admin_office"])
def test_concern_page_does_not_exist_for_others(world, client_for, concern, persona):
    assert client_for(world.personas[persona]).get(detail(concern)).status_code == 404


def test_list_for_leaders(world, client_for, concern):
    body = client_for(world.deputy).get(reverse("attendance:concern_list")).content.decode()
    assert "Alfie Adams" in body and "Persistent absence" in body and "Change the tiers" in body
    body = client_for(world.deputy).get(reverse("attendance:concern_list") + "?tier=1").content.decode()
    assert "Alfie Adams" not in body and "No attendance concern matches" in body
    body = client_for(world.deputy).get(reverse("attendance:concern_list") + "?status=closed&tier=x").content.decode()
    assert "Alfie Adams" not in body


def test_list_for_key_workers_shows_their_own(world, client_for, concern):
    assert "Alfie Adams" in client_for(world.ta_a).get(reverse("attendance:concern_list")).content.decode()
    response = client_for(world.teacher_b).get(reverse("attendance:concern_list"))
    assert response.status_code == 200 and "Alfie Adams" not in response.content.decode()


def test_list_without_the_capability(world, client_for, concern):
    assert client_for(world.admin_office).get(reverse("attendance:concern_list")).status_code == 403
    response = client_for(world.outsider).get(reverse("attendance:concern_list"))
    assert response.status_code == 200 and "Alfie Adams" not in response.content.decode()


def test_list_in_fixed_queries(world, client_for, concern, django_assert_max_num_queries):
    client = client_for(world.deputy)
    client.get(reverse("attendance:concern_list"))
    with django_assert_max_num_queries(14) as one:
        client.get(reverse("attendance:concern_list"))
    for i in range(15):
        kid = make_child(make_family(world.org, f"F{i}"), world.school, world.class_b, legal_first_name=f"K{i}", legal_last_name="More")
        marks(world, kid, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    escalation.concerns_evaluate(organisation_id=world.org.pk, as_of=NOV_13)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(reverse("attendance:concern_list")).content.decode()
    assert "16 concerns" in body


def test_key_worker_logs_an_action(world, client_for, concern):
    response = client_for(world.ta_a).post(detail(concern), {
        "do": "action", "text": "Phoned mum: Alfie has been unwell", "happened_on": "2026-11-17", "follow_up_on": "2026-11-24"})
    assert response.status_code == 302
    action = ConcernAction.objects.get(concern=concern, kind="action")
    assert action.recorded_by == world.ta_a.user and action.follow_up_on == dt.date(2026, 11, 24)
    concern.refresh_from_db()
    assert concern.follow_up_by == dt.date(2026, 11, 24)
    body = client_for(world.deputy).get(detail(concern)).content.decode()
    assert "Phoned mum" in body and "Kim Keyworker" in body


@pytest.mark.parametrize("data, field, message", [
    ({"text": ""}, "text", "Say what was done."),
    ({"text": "x", "happened_on": "2026-12-01"}, "happened_on", "cannot be in the future"),
    ({"text": "x", "happened_on": "nonsense"}, "happened_on", "Enter the date"),
    ({"text": "x", "follow_up_on": "2026-13-40"}, "follow_up_on", "Enter the follow-up date"),
    ({"text": "x", "happened_on": "2026-11-17", "follow_up_on": "2026-11-16"}, "follow_up_on", "on or after"),
])
def test_action_refusals_per_field(world, client_for, concern, data, field, message):
    response = client_for(world.deputy).post(detail(concern), {"do": "action", "happened_on": "2026-11-17", **data})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'href="#id_{field}"' in body
    assert not ConcernAction.objects.filter(kind="action").exists()


def test_deputy_closes_and_key_worker_cannot(world, client_for, concern):
    assert client_for(world.ta_a).post(detail(concern), {"do": "close", "outcome": "x"}).status_code == 403
    response = client_for(world.deputy).post(detail(concern), {"do": "close", "outcome": ""})
    assert response.status_code == 400 and "Describe the outcome." in response.content.decode()
    assert client_for(world.deputy).post(detail(concern), {"do": "close", "outcome": "Attendance back to 97%"}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "closed" and concern.closed_by == world.deputy.user
    body = client_for(world.deputy).get(detail(concern)).content.decode()
    assert "Attendance back to 97%" in body and "Log the action" not in body


# The tiers page -------------------------------------------------------------------------------------------------


def tiers_url():
    return reverse("attendance:escalation_setup")


def form(**over):
    data = {
        "tier-0-name": "Monitor", "tier-0-at_or_below": "96", "tier-0-notify_roles": ["key_worker"], "tier-0-follow_up": "Talk",
        "tier-0-follow_up_school_days": "5",
        "tier-1-name": "Meeting with the deputy head", "tier-1-at_or_below": "90", "tier-1-notify_roles": ["key_worker", "deputy_headteacher"],
        "tier-1-follow_up": "Meeting", "tier-1-follow_up_school_days": "10",
        "minimum_sessions": "10", "recent_enabled": "1", "recent_absences": "3", "recent_sessions": "10", "weekday_weeks": "3",
    }
    data.update(over)
    return data


def test_tiers_page_for_leaders(world, client_for):
    body = client_for(world.deputy).get(tiers_url()).content.decode()
    assert "Attendance escalation" in body and 'value="Persistent absence"' in body and "The child&#x27;s key worker" in body


@pytest.mark.parametrize("persona, status", [("teacher_a", 403), ("key_worker", 403), ("teacher_b", 403)])
def test_tiers_page_without_the_capability(world, client_for, persona, status):
    assert client_for(world.personas[persona]).get(tiers_url()).status_code == status


def test_tiers_page_of_the_outsider_is_their_own(world, client_for):
    client_for(world.deputy).post(tiers_url(), form())
    body = client_for(world.outsider).get(tiers_url()).content.decode()
    assert "Meeting with the deputy head" not in body


def test_save_tiers(world, client_for):
    response = client_for(world.deputy).post(tiers_url(), form())
    assert response.status_code == 302
    tiers = list(AttendanceTier.objects.filter(organisation=world.org).order_by("order"))
    assert [(t.name, str(t.at_or_below), t.notify_roles) for t in tiers] == [
        ("Monitor", "96.00", ["key_worker"]), ("Meeting with the deputy head", "90.00", ["key_worker", "deputy_headteacher"])]
    rules = escalation.escalation_settings(world.org.pk)
    assert rules.recent_enabled and not rules.weekday_enabled


@pytest.mark.parametrize("over, field, message", [
    ({"tier-1-at_or_below": "97"}, "tier-1-at_or_below", "must be below the one before it"),
    ({"tier-0-at_or_below": "101"}, "tier-0-at_or_below", "between 0 and 100"),
    ({"tier-0-at_or_below": "lots"}, "tier-0-at_or_below", "between 0 and 100"),
    ({"tier-1-notify_roles": ["janitor"]}, "tier-1-notify_roles", "There is no role"),
    ({"tier-1-notify_roles": []}, "tier-1-notify_roles", "Choose who is told"),
    ({"tier-0-name": "", "tier-0-at_or_below": "95"}, "tier-0-name", "Name the tier"),
    ({"tier-0-follow_up_school_days": "0"}, "tier-0-follow_up_school_days", "between 1 and 60"),
    ({"recent_absences": "11"}, "recent_absences", "between 1 and 10"),
    ({"weekday_weeks": "x"}, "weekday_weeks", "between 2 and 12"),
])
def test_tier_refusals_per_field(world, client_for, over, field, message):
    response = client_for(world.deputy).post(tiers_url(), form(**over))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'href="#id_{field}"' in body
    assert not AttendanceTier.objects.filter(organisation=world.org, name="Meeting with the deputy head").exists()
