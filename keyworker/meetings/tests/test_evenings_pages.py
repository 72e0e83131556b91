"""Parents' evening staff pages per persona: a leader opens, changes, closes and cancels; the office books, moves
and cancels for families; a key worker sees and prints their own timetable and records who came; an outsider gets
404; the timetable takes a fixed number of queries."""

import datetime as dt

import pytest

from keyworker.meetings import evenings
from keyworker.meetings.evenings_models import EveningStatus, ParentsEvening
from keyworker.meetings.models import Appointment, AppointmentStatus
from keyworker.testing import make_child, make_family

from .evening_helpers import carer_of, open_evening, slots_of

pytestmark = pytest.mark.django_db


def _form(world, **extra):
    data = {"setting": world.school.pk, "title": "Spring evening", "day": "2026-12-03", "starts": "16:00", "ends": "18:00",
            "slot_minutes": "10", "break_starts": "17:00", "break_ends": "17:15", "place": "Hall",
            "booking_opens_at": "2026-11-18T12:00", "booking_closes_at": "2026-12-02T18:00",
            "staff": [world.ta_a.pk, world.teacher_a.pk]}
    data.update(extra)
    return data


def test_a_leader_opens_an_evening(world, client_for):
    client = client_for(world.headteacher)
    page = client.get(f"/meetings/evenings/new/?setting={world.school.pk}")
    assert page.status_code == 200 and b"Who takes part" in page.content
    response = client.post("/meetings/evenings/new/", _form(world))
    evening = ParentsEvening.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/evenings/{evening.pk}/"
    assert evening.slots.count() == 2 * 10  # 16:00-18:00 less the 15 minute break, in 10 minute slots
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(("extra", "field", "message"), [
    ({"ends": "15:00"}, "ends", "ends after it starts"),
    ({"slot_minutes": "1"}, "slot_minutes", "greater than or equal"),
    ({"break_ends": ""}, "break_ends", "both the start and the end"),
    ({"booking_closes_at": "2026-12-04T10:00"}, "booking_closes_at", "before the evening starts"),
    ({"staff": []}, "staff", "required"),
    ({"day": "2206-12-03"}, "day", "check the year"),
    ({"day": "not a day"}, "day", "valid date"),
])
def test_the_form_says_what_is_wrong_next_to_the_field(world, client_for, extra, field, message):
    response = client_for(world.headteacher).post("/meetings/evenings/new/", _form(world, **extra))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a", "admin_office"])
def test_only_leaders_open_evenings(world, client_for, persona):
    assert client_for(getattr(world, persona)).get(f"/meetings/evenings/new/?setting={world.school.pk}").status_code == 403


def test_an_outsider_finds_nothing(world, client_for):
    evening = open_evening(world)
    slot = slots_of(evening, world.ta_a)[0]
    client = client_for(world.outsider)
    for url in (f"/meetings/evenings/{evening.pk}/", f"/meetings/evenings/{evening.pk}/edit/",
                f"/meetings/evenings/{evening.pk}/timetable/{world.ta_a.pk}/", f"/meetings/evenings/{evening.pk}/slots/{slot.pk}/",
                f"/meetings/evenings/{evening.pk}/cancel/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/meetings/evenings/{evening.pk}/close/").status_code == 404
    assert b"Autumn parents" not in client.get("/meetings/evenings/").content


def test_the_leader_changes_closes_and_cancels(world, client_for):
    evening = open_evening(world)
    client = client_for(world.headteacher)
    data = {"title": "Renamed evening", "place": "Library", "booking_opens_at": "2026-11-10T09:00",
            "booking_closes_at": "2026-12-01T18:00", "staff": [world.ta_a.pk, world.teacher_a.pk, world.teacher_b.pk]}
    assert client.post(f"/meetings/evenings/{evening.pk}/edit/", data).status_code == 302
    assert client.post(f"/meetings/evenings/{evening.pk}/close/").status_code == 302
    evening.refresh_from_db()
    assert evening.title == "Renamed evening" and not evening.booking_open(dt.datetime(2026, 11, 18, 11, tzinfo=dt.UTC))
    assert client.post(f"/meetings/evenings/{evening.pk}/cancel/", {"reason": ""}).status_code == 400
    assert client.post(f"/meetings/evenings/{evening.pk}/cancel/", {"reason": "Snow"}).status_code == 302
    evening.refresh_from_db()
    assert evening.status == EveningStatus.CANCELLED


def test_the_office_books_moves_and_cancels_for_a_family(world, client_for):
    evening = open_evening(world)
    first, second = slots_of(evening, world.ta_a)[:2]
    client = client_for(world.admin_office)
    assert client.get(f"/meetings/evenings/{evening.pk}/").status_code == 200
    assert client.post(f"/meetings/evenings/{evening.pk}/slots/{first.pk}/", {"child": world.child_a.pk}).status_code == 302
    first.refresh_from_db()
    assert first.family_id == world.family_a.pk and first.carer_id == carer_of(world.family_a).pk
    response = client.post(f"/meetings/evenings/{evening.pk}/slots/{first.pk}/", {"to_slot": second.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.family_id == world.family_a.pk
    assert client.post(f"/meetings/evenings/{evening.pk}/slots/{second.pk}/", {"action": "cancel"}).status_code == 302
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED


def test_the_office_is_told_when_the_family_already_has_a_slot(world, client_for):
    evening = open_evening(world)
    first, second = slots_of(evening, world.ta_a)[:2]
    evenings.booking_create(by=None, slot=first, child=world.child_a, carer=None)
    response = client_for(world.admin_office).post(f"/meetings/evenings/{evening.pk}/slots/{second.pk}/", {"child": world.child_a.pk})
    assert response.status_code == 400 and "already have a slot" in " ".join(response.context["form"].errors["child"])


def test_a_key_worker_cannot_book_for_families(world, client_for):
    evening = open_evening(world)
    slot = slots_of(evening, world.ta_a)[0]
    assert client_for(world.ta_a).get(f"/meetings/evenings/{evening.pk}/slots/{slot.pk}/").status_code == 403


def test_the_key_worker_sees_their_timetable_and_records_who_came(world, client_for, clock):
    evening = open_evening(world)
    booked = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer_of(world.family_a))
    client = client_for(world.ta_a)
    page = client.get(f"/meetings/evenings/{evening.pk}/timetable/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "16:00" in body and "Alfie" in body and world.family_a.name in body and carer_of(world.family_a).full_name in body
    # Another member of staff's timetable is the office's and leaders'.
    assert client.get(f"/meetings/evenings/{evening.pk}/timetable/{world.teacher_b.pk}/").status_code == 404
    assert client_for(world.admin_office).get(f"/meetings/evenings/{evening.pk}/timetable/{world.ta_a.pk}/").status_code == 200
    clock.move_to(dt.datetime(2026, 12, 2, 16, 5, tzinfo=dt.UTC))
    client = client_for(world.ta_a)
    response = client.post(f"/meetings/evenings/{evening.pk}/slots/{booked.pk}/attendance/", {"attended": "yes"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=booked.appointment_id).status == AppointmentStatus.HELD


def test_the_evening_list(world, client_for):
    open_evening(world)
    assert b"Autumn parents" in client_for(world.ta_a).get("/meetings/evenings/").content
    assert b"Open a parents" in client_for(world.headteacher).get("/meetings/evenings/").content


def _fill(world, evening, n):
    slots = slots_of(evening, world.ta_a)
    for i in range(n):
        fam = make_family(world.org)
        child = make_child(fam, world.school, world.class_a)
        evenings.booking_create(by=None, slot=slots[i], child=child, carer=carer_of(fam), office=True)


@pytest.mark.parametrize("size", [1, 5])
def test_the_timetable_and_board_take_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, size):
    evening = open_evening(world)
    _fill(world, evening, size)
    client = client_for(world.headteacher)
    client.get(f"/meetings/evenings/{evening.pk}/timetable/{world.ta_a.pk}/")
    with django_assert_max_num_queries(14):
        assert client.get(f"/meetings/evenings/{evening.pk}/timetable/{world.ta_a.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/meetings/evenings/{evening.pk}/").status_code == 200


def test_my_week_shows_the_evening_to_staff_taking_part_and_to_the_office(world, client_for):
    evening = open_evening(world)
    evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=None)
    mine = client_for(world.ta_a).get("/my-week/").content.decode()
    assert "Parents' evenings</h2>" in mine and "1 of your 6 slots booked" in mine
    office = client_for(world.admin_office).get("/my-week/").content.decode()
    assert "1 of 18 slots booked in all" in office
    # Nothing for someone neither taking part nor booking for families.
    assert evenings.week_panel(world.actor(world.safeguarding_lead), dt.date(2026, 11, 18)) is None
