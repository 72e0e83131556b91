"""Childcare sessions: booked and attended per child per day, a room's register for the day, attended-of-booked rates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from keyworker.attendance.models import CareSession
from keyworker.attendance.sessions import (
    OutcomesRefused,
    SessionOutcome,
    access_room,
    care_register_save,
    care_session_book,
    session_rates,
)
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import SettingKind
from keyworker.testing import make_child, make_family, make_group, make_setting, make_staff

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def nursery(world):
    setting = make_setting(world.org, kind=SettingKind.EARLY_YEARS, name="Little Acorns")
    room = make_group(setting, "Ducklings", year_group="")
    world.nursery, world.room = setting, room
    world.key_person = make_staff(world.org, setting, ["teaching_assistant"], [room], name="Pat Practitioner")
    world.toddlers = [make_child(make_family(world.org), setting, room, legal_first_name=f"Tod{i}") for i in range(3)]
    return world


def _book(w, days, children=None):
    actor = w.actor(w.headteacher)
    return [care_session_book(actor=actor, child=c, date=d) for d in days for c in (children or w.toddlers)]


def test_booking_checks(nursery):
    w = nursery
    actor = w.actor(w.headteacher)
    care_session_book(actor=actor, child=w.toddlers[0], date=TODAY, kind="morning")
    with pytest.raises(RuleViolation, match="already has this session"):
        care_session_book(actor=actor, child=w.toddlers[0], date=TODAY, kind="morning")
    with pytest.raises(RuleViolation, match="is a school"):
        care_session_book(actor=actor, child=w.child_a, date=TODAY)
    with pytest.raises(PermissionDenied):
        care_session_book(actor=w.actor(w.teacher_a), child=w.toddlers[0], date=TODAY)
    with pytest.raises(RuleViolation, match="kind of session"):
        care_session_book(actor=actor, child=w.toddlers[0], date=TODAY, kind="night")


def test_register_all_or_nothing_and_rates(nursery):
    w = nursery
    booked = _book(w, [TODAY])
    actor = w.actor(w.key_person)
    with pytest.raises(OutcomesRefused) as exc:
        care_register_save(actor=actor, group=w.room, date=TODAY, outcomes=[
            SessionOutcome(booked[0].pk, "attended"), SessionOutcome(booked[1].pk, "absent")])
    assert [(p.session_id, p.field) for p in exc.value.problems] == [(booked[1].pk, "reason")]
    assert not CareSession.objects.exclude(status="booked").exists()
    changed = care_register_save(actor=actor, group=w.room, date=TODAY, outcomes=[
        SessionOutcome(booked[0].pk, "attended"), SessionOutcome(booked[1].pk, "absent", "ill", "Temperature")])
    assert changed == 2
    one = CareSession.objects.get(pk=booked[1].pk)
    assert (one.status, one.absence_reason, one.note, one.recorded_by) == ("absent", "ill", "Temperature", w.key_person.user)
    rates = session_rates(w.org.pk, [c.pk for c in w.toddlers], TODAY - dt.timedelta(days=27), TODAY)
    assert (rates[w.toddlers[0].pk].attended_pct, rates[w.toddlers[1].pk].attended_pct) == (100.0, 0.0)
    assert (rates[w.toddlers[2].pk].booked, rates[w.toddlers[2].pk].not_recorded, rates[w.toddlers[2].pk].attended_pct) == (1, 1, None)


def test_register_refusals(nursery):
    w = nursery
    later = _book(w, [TODAY + dt.timedelta(days=1)])
    with pytest.raises(RuleViolation, match="on the day or after"):
        care_register_save(actor=w.actor(w.key_person), group=w.room, date=TODAY + dt.timedelta(days=1),
                           outcomes=[SessionOutcome(later[0].pk, "attended")])
    with pytest.raises(OutcomesRefused, match="not booked in this room today"):
        care_register_save(actor=w.actor(w.key_person), group=w.room, date=TODAY, outcomes=[SessionOutcome(later[0].pk, "attended")])
    with pytest.raises(PermissionDenied):
        care_register_save(actor=w.actor(w.teacher_a), group=w.room, date=TODAY, outcomes=[])


def test_rooms_only_for_childcare(nursery):
    w = nursery
    with pytest.raises(Http404):
        access_room(w.actor(w.headteacher), w.class_a.pk)
    assert access_room(w.actor(w.key_person), w.room.pk) == w.room


def test_register_page(nursery, client_for, django_assert_max_num_queries):
    w = nursery
    booked = _book(w, [TODAY - dt.timedelta(days=1), TODAY])
    url = reverse("attendance:room_sessions", args=[w.room.pk])
    client = client_for(w.key_person)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "Ducklings" in body and "Tod0" in body and "not recorded yet" in body
    today_ids = [b.pk for b in booked if b.date == TODAY]
    response = client.post(url, {"date": TODAY.isoformat(), f"status-{today_ids[0]}": "attended",
                                 f"status-{today_ids[1]}": "absent"})
    assert response.status_code == 400 and "Choose why the child was absent" in response.content.decode()
    response = client.post(url, {"date": TODAY.isoformat(), f"status-{today_ids[0]}": "attended",
                                 f"status-{today_ids[1]}": "absent", f"reason-{today_ids[1]}": "holiday"}, follow=True)
    assert "Sessions recorded for Ducklings: 2 changed" in response.content.decode()
    assert "1 of 1 (100.0%)" in response.content.decode()
    # A fixed number of queries whatever the number of children booked.
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    more = [make_child(make_family(w.org), w.nursery, w.room, legal_first_name=f"More{i}") for i in range(6)]
    _book(w, [TODAY], more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "More5" in client.get(url).content.decode()
    # Another day.
    assert "No sessions are booked" in client.get(url + "?date=2026-11-14").content.decode()


def test_register_page_access(nursery, client_for):
    w = nursery
    url = reverse("attendance:room_sessions", args=[w.room.pk])
    assert client_for(w.headteacher).get(url).status_code == 200
    assert client_for(w.teacher_a).get(url).status_code == 403
    assert client_for(w.outsider).get(url).status_code == 404
    assert client_for(w.headteacher).get(reverse("attendance:room_sessions", args=[w.class_a.pk])).status_code == 404


def test_attendance_index_links_rooms_to_their_sessions(nursery, client_for):
    w = nursery
    body = client_for(w.key_person).get(reverse("attendance:index")).content.decode()
    assert reverse("attendance:room_sessions", args=[w.room.pk]) in body
    assert reverse("attendance:register", args=[w.room.pk]) not in body
    body = client_for(w.headteacher).get(reverse("attendance:index")).content.decode()
    assert reverse("attendance:register", args=[w.class_a.pk]) in body and reverse("attendance:import_ctf") in body
