"""Briefing pages: to acknowledge, one briefing, a class's "What changed", leaders' progress, the My week panel."""

import datetime as dt

import pytest

from keyworker.briefings.models import Briefing, BriefingRecipient, ClassLastLooked
from keyworker.people.services import key_aspects_update
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

TODAY = dt.date(2026, 11, 18)


def _change(world, staff=None, child=None, **changes):
    key_aspects_update(actor=world.actor(staff or world.headteacher), child=child or world.child_a,
                       changes=changes or {"allergies": "Peanuts (EpiPen in class)"})
    return Briefing.objects.filter(child=child or world.child_a).order_by("-id").first()


# Briefings to acknowledge ---------------------------------------------------------------------------------

def test_the_key_worker_sees_what_changed_who_and_when(world, client_for):
    _change(world)
    r = client_for(world.ta_a).get("/briefings/")
    html = r.content.decode()
    assert r.status_code == 200 and "Briefings to acknowledge" in html
    assert "Alfie Adams" in html and "Allergies" in html and "Peanuts (EpiPen in class)" in html and "(was blank)" in html
    assert "Helen Head" in html and "18/11/2026" in html and "I have read this" in html


def test_nothing_to_acknowledge_says_so(world, client_for):
    html = client_for(world.ta_a).get("/briefings/").content.decode()
    assert "Nothing to acknowledge" in html


def test_acknowledge_from_the_list_then_it_is_under_already_read(world, client_for):
    briefing = _change(world)
    client = client_for(world.ta_a)
    r = client.post(f"/briefings/{briefing.pk}/acknowledge/")
    assert r.status_code == 302 and r["Location"] == "/briefings/"
    assert BriefingRecipient.objects.get(briefing=briefing, staff=world.ta_a).acknowledged_at is not None
    assert "Nothing to acknowledge" in client.get("/briefings/").content.decode()
    html = client.get("/briefings/?show=acknowledged").content.decode()
    assert "Alfie Adams" in html and "Read" in html


def test_acknowledge_twice_is_harmless(world, client_for):
    briefing = _change(world)
    client = client_for(world.ta_a)
    client.post(f"/briefings/{briefing.pk}/acknowledge/")
    r = client.post(f"/briefings/{briefing.pk}/acknowledge/", follow=True)
    assert r.status_code == 200 and "already read" in r.content.decode()


@pytest.mark.parametrize("persona", ["teacher_b", "headteacher", "admin_office", "outsider"])
def test_a_non_recipient_cannot_acknowledge(world, client_for, persona):
    briefing = _change(world, world.admin_office)
    assert client_for(world.personas[persona]).post(f"/briefings/{briefing.pk}/acknowledge/").status_code == 404


def test_acknowledge_is_post_only(world, client_for):
    briefing = _change(world)
    assert client_for(world.ta_a).get(f"/briefings/{briefing.pk}/acknowledge/").status_code == 405


def test_acknowledge_all_for_a_child(world, client_for, clock):
    _change(world, allergies="Peanuts")
    clock.shift(60)
    _change(world, religion="Sikh")
    client = client_for(world.ta_a)
    assert "I have read all 2" in client.get("/briefings/").content.decode()
    r = client.post(f"/briefings/children/{world.child_a.pk}/acknowledge/", {"next": "/"}, follow=True)
    assert "read 2 changes" in r.content.decode()
    assert not BriefingRecipient.objects.filter(staff=world.ta_a, acknowledged_at__isnull=True).exists()


def test_acknowledge_all_for_a_child_out_of_scope_is_404(world, client_for):
    _change(world, child=world.child_b)
    assert client_for(world.ta_a).post(f"/briefings/children/{world.child_b.pk}/acknowledge/").status_code == 404
    assert client_for(world.outsider).post(f"/briefings/children/{world.child_a.pk}/acknowledge/").status_code == 404


def test_acknowledging_meets_sch3_in_the_same_request(world, client_for):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    briefing = _change(world)
    assert Obligation.objects.get(standard__clause="SCH-3", child=world.child_a).state != ObligationState.MET
    client_for(world.ta_a).post(f"/briefings/{briefing.pk}/acknowledge/")
    assert Obligation.objects.get(standard__clause="SCH-3", child=world.child_a).state == ObligationState.MET


def test_an_unsafe_next_is_ignored(world, client_for):
    briefing = _change(world)
    r = client_for(world.ta_a).post(f"/briefings/{briefing.pk}/acknowledge/", {"next": "//evil.example/"})
    assert r["Location"] == "/briefings/"


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    assert client.get("/briefings/").status_code == 302


def test_a_page_number_out_of_range_is_the_last_page(world, client_for):
    _change(world)
    assert client_for(world.ta_a).get("/briefings/?page=999999&show=nonsense").status_code == 200


# One briefing -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["key_worker", "teacher_a", "headteacher", "admin_office"])
def test_the_briefing_page_shows_before_after_and_who_has_read(world, client_for, persona):
    briefing = _change(world, world.teacher_a, allergies="Peanuts")
    html = client_for(world.personas[persona]).get(f"/briefings/{briefing.pk}/").content.decode()
    assert "Change to Alfie Adams's key aspects" in html and "Peanuts" in html
    assert "Kim Keyworker" in html and "Not yet" in html and "Tara Teacher" in html
    assert ("I have read this" in html) == (persona == "key_worker")


@pytest.mark.parametrize("persona", ["teacher_b", "outsider"])
def test_a_briefing_outside_scope_is_404(world, client_for, persona):
    briefing = _change(world)
    assert client_for(world.personas[persona]).get(f"/briefings/{briefing.pk}/").status_code == 404


# What changed in a class ------------------------------------------------------------------------------------

def test_what_changed_since_last_looked(world, client_for, clock):
    client = client_for(world.teacher_a)
    _change(world, allergies="Peanuts")
    first = client.get(f"/briefings/classes/{world.class_a.pk}/").content.decode()
    assert "first look" in first and "Peanuts" in first
    assert ClassLastLooked.objects.filter(staff=world.teacher_a, group=world.class_a).exists()
    clock.shift(dt.timedelta(hours=2))
    client = client_for(world.teacher_a)  # two idle hours end a session: sign in again
    _change(world, religion="Sikh")
    html = client.get(f"/briefings/classes/{world.class_a.pk}/").content.decode()
    assert "since you last looked" in html and "Sikh" in html and "Peanuts" not in html
    clock.shift(dt.timedelta(hours=1))
    client = client_for(world.teacher_a)
    assert "Nothing new since you last looked" in client.get(f"/briefings/classes/{world.class_a.pk}/").content.decode()
    recent = client.get(f"/briefings/classes/{world.class_a.pk}/?period=30").content.decode()
    assert "Peanuts" in recent and "Sikh" in recent and "last 30 days" in recent


def test_changes_older_than_30_days_are_not_shown(world, client_for, clock):
    _change(world, allergies="Peanuts")
    clock.shift(dt.timedelta(days=31))
    html = client_for(world.teacher_a).get(f"/briefings/classes/{world.class_a.pk}/?period=30").content.decode()
    assert "Peanuts" not in html and "No changes" in html


def test_the_class_list_counts_new_changes(world, client_for, clock):
    _change(world)
    html = client_for(world.teacher_a).get("/briefings/classes/").content.decode()
    assert "Ash" in html and "1 new" in html and "Beech" not in html
    client_for(world.teacher_a).get(f"/briefings/classes/{world.class_a.pk}/")
    assert "1 new" not in client_for(world.teacher_a).get("/briefings/classes/").content.decode()


@pytest.mark.parametrize("persona", ["teacher_b", "outsider"])
def test_a_class_outside_scope_is_404(world, client_for, persona):
    assert client_for(world.personas[persona]).get(f"/briefings/classes/{world.class_a.pk}/").status_code == 404
    assert client_for(world.personas[persona]).get(f"/briefings/classes/{world.class_a.pk}/progress/").status_code == 404


@pytest.mark.parametrize("persona", ["headteacher", "deputy", "admin_office"])
def test_organisation_wide_staff_see_every_class(world, client_for, persona):
    assert client_for(world.personas[persona]).get(f"/briefings/classes/{world.class_b.pk}/").status_code == 200


# Leaders' progress ------------------------------------------------------------------------------------------

def test_leaders_see_who_has_not_read_which_briefing(world, client_for, clock):
    _change(world, world.teacher_a, allergies="Peanuts")
    clock.shift(dt.timedelta(days=6))
    r = client_for(world.deputy).get(f"/briefings/classes/{world.class_a.pk}/progress/")
    html = r.content.decode()
    assert r.status_code == 200 and "Who has read what in Ash" in html
    assert "Kim Keyworker" in html and "6 days" in html and "Allergies" in html
    # The author has read it.
    assert "Tara Teacher" not in html.split("Per person")[1].split("Per briefing")[0]


def test_everyone_has_read_says_so(world, client_for):
    assert "Everyone has read" in client_for(world.headteacher).get(f"/briefings/classes/{world.class_a.pk}/progress/").content.decode()


@pytest.mark.parametrize("persona", ["teacher_a", "key_worker"])
def test_progress_needs_a_leader(world, client_for, persona):
    assert client_for(world.personas[persona]).get(f"/briefings/classes/{world.class_a.pk}/progress/").status_code == 403


# My week panel ----------------------------------------------------------------------------------------------

def test_my_week_panel_counts_and_acknowledges(world, client_for, clock):
    for value in ("Peanuts", "Sesame", "Milk", "Eggs"):
        _change(world, allergies=value)
        clock.shift(60)
    client = client_for(world.ta_a)
    html = client.get("/my-week/").content.decode()
    assert "Changes to acknowledge" in html and "(4)" in html and html.count("I have read this") == 3
    oldest = Briefing.objects.order_by("id").first()
    r = client.post(f"/briefings/{oldest.pk}/acknowledge/", {"next": "/my-week/"})
    assert r.status_code == 302 and r["Location"] == "/my-week/"
    assert "(3)" in client.get("/my-week/").content.decode()


def test_no_panel_when_nothing_waits(world, client_for):
    from django.urls import reverse

    assert "Changes to acknowledge" not in client_for(world.ta_a).get(reverse("week:my_week")).content.decode()


# Query counts -----------------------------------------------------------------------------------------------

def _many(world, n, clock):
    for i in range(n):
        _change(world, allergies=f"Allergy {i}", religion=f"Religion {i}")
        clock.shift(60)


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_for,persona", [
    (lambda w: "/briefings/", "ta_a"),
    (lambda w: "/briefings/?show=acknowledged", "teacher_a"),
    (lambda w: f"/briefings/classes/{w.class_a.pk}/?period=30", "teacher_a"),
    (lambda w: "/briefings/classes/", "teacher_a"),
    (lambda w: f"/briefings/classes/{w.class_a.pk}/progress/", "deputy"),
    (lambda w: "/my-week/", "ta_a"),
])
def test_a_fixed_number_of_queries_with_1_or_20_briefings(world, client_for, clock, url_for, persona):
    url = url_for(world)
    _many(world, 1, clock)
    # The class teacher reads one so that "already read" has a row.
    for r in BriefingRecipient.objects.filter(staff=world.teacher_a):
        r.acknowledged_at = r.briefing.created_at
        r.save()
    client = client_for(getattr(world, persona))
    _count_queries(client, url)  # warm: the last-looked row exists from here on
    one = _count_queries(client, url)
    _many(world, 19, clock)
    BriefingRecipient.objects.filter(staff=world.teacher_a).update(acknowledged_at=Briefing.objects.first().created_at)
    client = client_for(getattr(world, persona))  # 19 minutes on: sign in afresh, so no session refresh is counted
    twenty = _count_queries(client, url)
    assert twenty == one, (url, one, twenty)


# Family timeline --------------------------------------------------------------------------------------------

def test_the_key_workers_reading_is_on_the_family_timeline(world, client_for, clock):
    briefing = _change(world, allergies="Peanuts", religion="Sikh")
    clock.shift(3600)
    client = client_for(world.ta_a)
    client.post(f"/briefings/{briefing.pk}/acknowledge/")
    html = client.get(f"/families/{world.family_a.pk}/timeline/").content.decode()
    assert "Change to key aspects read" in html and "allergies, religion" in html
    assert "Briefings read" in html


def test_an_absurd_id_is_404(world, client_for):
    client = client_for(world.ta_a)
    assert client.get("/briefings/99999999999999999999999/").status_code == 404
    assert client.post("/briefings/99999999999999999999999/acknowledge/").status_code == 404
    assert client.post("/briefings/children/99999999999999999999999/acknowledge/").status_code == 404
    assert client.get("/briefings/classes/99999999999999999999999/progress/").status_code == 404


def test_a_signed_in_person_without_membership_gets_404(world, client):
    from keyworker.accounts.models import User

    client.force_login(User.objects.create_user("newcomer@example.org", "x", full_name="Nia Newcomer"))
    for url in ("/briefings/", "/briefings/classes/", f"/briefings/classes/{world.class_a.pk}/"):
        assert client.get(url).status_code == 404, url


def test_the_panel_is_two_queries_whatever_the_number(world, clock, django_assert_num_queries):
    from keyworker.briefings.panels import changes_to_acknowledge

    _many(world, 20, clock)
    actor = world.actor(world.ta_a)
    actor.settings_with_scope, actor.has_organisation_scope  # noqa: B018 - the actor's own lookups are cached first
    with django_assert_num_queries(2):
        panel = changes_to_acknowledge(actor, TODAY)
        assert panel.count == 20 and len(panel.oldest) == 3
        assert [len(r.briefing.items.all()) for r in panel.oldest] == [2, 2, 2]
    assert changes_to_acknowledge(world.actor(world.teacher_b), TODAY) is None
