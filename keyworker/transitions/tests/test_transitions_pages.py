"""Staff pages of transitions (the cohort, a plan, new plan, visits, dates shared, write-ups), the carers' pages and
the calendar feed: the right persona sees and does, an outsider gets 404, bad input a message per field."""

import datetime as dt

import pytest

from keyworker.meetings import calendars
from keyworker.testing import carer_account, portal_client

from .. import services
from ..models import TransitionVisit
from .helpers import at, plan_for, visit, year6

pytestmark = pytest.mark.django_db

FIRST = dt.date(2026, 11, 30)


def _shared(world):
    plan = plan_for(world)
    v = visit(world, plan, FIRST, staff=[world.ta_a])
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    return plan, v


def test_the_cohort_view_for_a_leader(world, client_for):
    plan_for(world)
    year6(world.child_b)
    page = client_for(world.headteacher).get("/transitions/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hillside High School" in text and world.child_b.display_name in text and "Plan the transition" in text


def test_the_plan_page_as_the_key_worker_and_as_outsiders(world, client_for, client):
    plan, _ = _shared(world)
    page = client_for(world.ta_a).get(f"/transitions/{plan.pk}/")
    assert page.status_code == 200
    assert "Mr Patel" in page.content.decode() and "Shared on" in page.content.decode()
    client.force_login(world.outsider.user)
    assert client.get(f"/transitions/{plan.pk}/").status_code == 404
    client.force_login(world.teacher_b.user)
    assert client.get(f"/transitions/{plan.pk}/").status_code == 404


def test_new_plan_page_warns_for_a_child_not_in_a_leaving_year(world, client_for):
    client = client_for(world.ta_a)
    page = client.get(f"/transitions/new/?child={world.child_a.pk}")
    assert page.status_code == 200
    done = client.post("/transitions/new/", {"child": world.child_a.pk, "destination_school": "Hillside High"}, follow=True)
    assert done.status_code == 200 and "not a leaving year" in done.content.decode()


def test_new_plan_page_refuses_a_child_outside_the_school_on_its_field(world, client_for):
    other_child = world.other_family.children.get()
    page = client_for(world.ta_a).post("/transitions/new/", {"child": other_child.pk, "destination_school": ""})
    assert page.status_code == 400
    form = page.context["form"]
    assert form.errors["child"] == ["Choose a pupil of your school."]
    assert "destination_school" in form.errors


def test_adding_a_visit_with_bad_times_shows_a_message_per_field(world, client_for):
    plan = plan_for(world)
    client = client_for(world.ta_a)
    page = client.post(f"/transitions/{plan.pk}/visits/", {"day": "2026-11-30", "starts": "11:00", "ends": "09:00"})
    assert page.status_code == 400
    assert page.context["visit_form"].errors["ends"] == ["The visit must end after it starts."]
    page = client.post(f"/transitions/{plan.pk}/visits/", {"day": "2026-11-02", "starts": "09:00", "ends": "10:00"})
    assert page.status_code == 400 and "starts" in page.context["visit_form"].errors
    page = client.post(f"/transitions/{plan.pk}/visits/", {"day": "not a date", "starts": "9", "ends": "10:00"})
    assert page.status_code == 400 and "day" in page.context["visit_form"].errors
    ok = client.post(f"/transitions/{plan.pk}/visits/", {"day": "2026-11-30", "starts": "09:00", "ends": "11:00",
                                                         "place": "Hall", "staff": [str(world.ta_a.pk)]})
    assert ok.status_code == 302
    v = TransitionVisit.objects.get(plan=plan)
    assert v.starts_at == at(FIRST, 9) and list(v.staff.all()) == [world.ta_a]


def test_share_dates_and_write_up_from_the_plan_page(world, client_for, clock):
    plan = plan_for(world)
    v = visit(world, plan, FIRST)
    client = client_for(world.ta_a)
    assert client.post(f"/transitions/{plan.pk}/share-dates/").status_code == 302
    clock.move_to(at(FIRST, 15))
    client = client_for(world.ta_a)  # signed in again: the session idled out meanwhile
    bad = client.post(f"/transitions/visits/{v.pk}/write-up/", {f"v{v.pk}-write_up": "ok", "share": "1"})
    assert bad.status_code == 400
    good = client.post(f"/transitions/visits/{v.pk}/write-up/",
                       {f"v{v.pk}-write_up": "Alfie loved the science lab and met his tutor.", "share": "1"})
    assert good.status_code == 302
    v.refresh_from_db()
    assert v.shared_on == FIRST
    assert client_for(world.outsider).post(f"/transitions/visits/{v.pk}/write-up/", {}).status_code == 404


def test_the_week_panel_shows_dates_to_share(world, client_for):
    plan = plan_for(world)
    visit(world, plan, FIRST)
    page = client_for(world.ta_a).get("/my-week/")
    assert page.status_code == 200 and "Share the dates" in page.content.decode()


def test_the_family_reads_the_dates_and_write_ups_in_the_portal(world, clock):
    plan, v = _shared(world)
    clock.move_to(at(FIRST, 15))
    services.transition_write_up_save_and_share(actor=world.actor(world.ta_a), visit=v,
                                                text="Alfie loved the science lab and met his tutor.")
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    listing = client.get("/family/transitions/")
    assert listing.status_code == 200 and "Hillside High School" in listing.content.decode()
    page = client.get(f"/family/transitions/{plan.pk}/")
    assert page.status_code == 200 and "science lab" in page.content.decode()


def test_a_carer_of_another_family_gets_404_and_unshared_plans_do_not_show(world):
    plan = plan_for(world)
    visit(world, plan, FIRST)
    own = portal_client(world.family_a.carers.first())
    assert own.get(f"/family/transitions/{plan.pk}/").status_code == 404  # dates not shared yet
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    other = portal_client(world.family_b.carers.first())
    assert other.get(f"/family/transitions/{plan.pk}/").status_code == 404
    assert own.get(f"/family/transitions/{plan.pk}/").status_code == 200


def test_the_home_shows_the_next_visit(world):
    _shared(world)
    page = portal_client(world.family_a.carers.first()).get("/family/")
    assert "visit to Hillside High School" in page.content.decode()


def test_shared_visits_are_in_the_carers_calendar_feed(world, clock):
    plan, v = _shared(world)
    clock.shift(dt.timedelta(minutes=5))
    visit(world, plan, dt.date(2026, 12, 7))  # not shared yet: not in the feed
    user = carer_account(world.family_a.carers.first())
    feed = calendars.calendar_feed_get(user=user, now=at(dt.date(2026, 11, 18), 12))
    body = calendars.calendar_bytes(calendars.feed_appointments(feed, now=at(dt.date(2026, 11, 18), 12)),
                                    now=at(dt.date(2026, 11, 18), 12)).decode()
    assert f"transition-visit-{v.pk}@keyworker" in body
    assert body.count("BEGIN:VEVENT") == 1


def test_my_weeks_links_find_the_plan_or_a_new_one(world, client_for):
    client = client_for(world.ta_a)
    new = client.get(f"/transitions/children/{world.child_a.pk}/")
    assert new.status_code == 302 and new["Location"] == f"/transitions/new/?child={world.child_a.pk}"
    plan = plan_for(world)
    v = visit(world, plan, FIRST)
    assert client.get(f"/transitions/children/{world.child_a.pk}/")["Location"] == f"/transitions/{plan.pk}/"
    assert client.get(f"/transitions/visits/{v.pk}/")["Location"] == f"/transitions/{plan.pk}/#visit-{v.pk}"
    other = client_for(world.outsider)
    assert other.get(f"/transitions/children/{world.child_a.pk}/").status_code == 404
    assert other.get(f"/transitions/visits/{v.pk}/").status_code == 404
