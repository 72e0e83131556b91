"""The carers' parents' evening pages: a carer books their child's key worker or class teacher, moves and cancels;
another family's carer, a carer without parental responsibility and staff get 404; the carers' home shows what to
book and what is booked; the booking page takes a fixed number of queries."""

import datetime as dt

import pytest

from keyworker.core.extensions import carer_home_sources
from keyworker.meetings import evenings
from keyworker.meetings.evenings_models import EveningSlot
from keyworker.meetings.models import Appointment
from keyworker.meetings.tests.evening_helpers import carer_of, open_evening, slots_of
from keyworker.people.carer_access import access_for
from keyworker.testing import carer_account, make_child, make_family, portal_client

pytestmark = pytest.mark.django_db


def test_a_carer_sees_the_evening_and_their_childs_staff(world):
    evening = open_evening(world)
    client = portal_client(carer_of(world.family_a))
    listing = client.get("/family/bookings/")
    assert listing.status_code == 200 and b"Autumn parents" in listing.content
    page = client.get(f"/family/bookings/{evening.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert world.ta_a.user.full_name in body and "key worker" in body
    assert world.teacher_a.user.full_name in body and "class teacher" in body
    assert world.teacher_b.user.full_name not in body


def test_a_carer_books_moves_and_cancels(world):
    evening = open_evening(world)
    client = portal_client(carer_of(world.family_a))
    first, _, third = slots_of(evening, world.ta_a)[:3]
    response = client.post(f"/family/bookings/{evening.pk}/book/", {"child": world.child_a.pk, "staff": world.ta_a.pk, "slot": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.family_id == world.family_a.pk and first.carer_id == carer_of(world.family_a).pk
    page = client.get(f"/family/bookings/{evening.pk}/").content.decode()
    assert "Your appointment: <strong>16:00</strong>" in page
    assert client.post(f"/family/bookings/{evening.pk}/{first.pk}/move/", {"slot": third.pk}).status_code == 302
    third.refresh_from_db()
    assert third.family_id == world.family_a.pk and Appointment.objects.get().starts_at == third.starts_at
    assert client.post(f"/family/bookings/{evening.pk}/{third.pk}/cancel/").status_code == 302
    assert not EveningSlot.objects.filter(family__isnull=False).exists()


def test_a_slot_just_taken_is_explained(world):
    evening = open_evening(world)
    slot = slots_of(evening, world.teacher_a)[0]
    cole = world.family_unallocated.children.get()
    evenings.booking_create(by=None, slot=slot, child=cole, carer=None)
    response = portal_client(carer_of(world.family_a)).post(
        f"/family/bookings/{evening.pk}/book/", {"child": world.child_a.pk, "staff": world.teacher_a.pk, "slot": slot.pk})
    assert response.status_code == 400 and "just been booked by another family" in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"child": "x", "staff": "1", "slot": "2"}, {"child": "1", "staff": "99999999999", "slot": ""}])
def test_nonsense_is_a_message_not_an_error(world, data):
    evening = open_evening(world)
    response = portal_client(carer_of(world.family_a)).post(f"/family/bookings/{evening.pk}/book/", data)
    assert response.status_code == 400


def test_no_time_chosen(world):
    evening = open_evening(world)
    response = portal_client(carer_of(world.family_a)).post(
        f"/family/bookings/{evening.pk}/book/", {"child": world.child_a.pk, "staff": world.ta_a.pk})
    assert response.status_code == 400 and "Choose a time." in response.content.decode()


def test_another_familys_carer_finds_nothing(world):
    evening = open_evening(world)
    slot = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=None)
    other = portal_client(carer_of(world.other_family))
    assert other.get(f"/family/bookings/{evening.pk}/").status_code == 404
    assert b"Autumn parents" not in other.get("/family/bookings/").content
    # A carer of the same school may not move or cancel another family's booking.
    brown = portal_client(carer_of(world.family_b))
    assert brown.post(f"/family/bookings/{evening.pk}/{slot.pk}/cancel/").status_code == 404
    assert brown.post(f"/family/bookings/{evening.pk}/{slot.pk}/move/", {"slot": slot.pk + 1}).status_code == 404
    # Nor book for a child not theirs.
    response = brown.post(f"/family/bookings/{evening.pk}/book/", {"child": world.child_a.pk, "staff": world.ta_a.pk,
                                                                   "slot": slots_of(evening, world.ta_a)[1].pk})
    assert response.status_code == 400 and not EveningSlot.objects.filter(family=world.family_b).exists()


def test_a_carer_without_parental_responsibility_finds_nothing(world):
    evening = open_evening(world)
    carer = carer_of(world.family_a)
    carer.parental_responsibility = False
    carer.save()
    client = portal_client(carer)
    assert client.get(f"/family/bookings/{evening.pk}/").status_code == 404
    assert b"Autumn parents" not in client.get("/family/bookings/").content


def test_staff_get_404(world, client_for):
    evening = open_evening(world)
    assert client_for(world.headteacher).get(f"/family/bookings/{evening.pk}/").status_code == 404


def test_the_carers_home_asks_to_book_then_shows_the_booking(world, clock):
    evening = open_evening(world)
    carer = carer_of(world.family_a)
    carer_account(carer)
    access = access_for(carer.user)
    now = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)

    def items():
        return [i for s in carer_home_sources() if s.code.startswith("parents_evening") for i in s.fetch(access, now.date(), now)]
    assert [(i.kind, i.title) for i in items()] == [("to_do", "Book a parents' evening slot")]
    evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer)
    [coming] = items()
    assert coming.kind == "coming" and world.ta_a.user.full_name in coming.title and coming.child == world.child_a.display_name
    # The booking's appointment is not listed a second time by the appointments' own home item.
    assert [i for s in carer_home_sources() if s.code == "appointments" for i in s.fetch(access, now.date(), now)] == []


@pytest.mark.parametrize("families", [1, 6])
def test_the_booking_page_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries, families):
    evening = open_evening(world)
    slots = slots_of(evening, world.teacher_a)
    for i in range(families):
        fam = make_family(world.org)
        evenings.booking_create(by=None, slot=slots[i], child=make_child(fam, world.school, world.class_a), carer=None)
    client = portal_client(carer_of(world.family_a))
    client.get(f"/family/bookings/{evening.pk}/")
    with django_assert_max_num_queries(12):
        assert client.get(f"/family/bookings/{evening.pk}/").status_code == 200


def test_before_booking_opens_the_carer_is_told_when(world):
    from keyworker.meetings.tests.evening_helpers import CLOSES

    evening = open_evening(world, booking_opens_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), booking_closes_at=CLOSES)
    body = portal_client(carer_of(world.family_a)).get(f"/family/bookings/{evening.pk}/").content.decode()
    assert "Booking opens Wed 25 November 2026, 09:00" in body and "Book this time" not in body


@pytest.mark.parametrize("evenings_open", [1, 4])
def test_the_home_sources_take_a_fixed_number_of_queries(world, django_assert_max_num_queries, evenings_open):
    carer = carer_of(world.family_a)
    carer_account(carer)
    for _ in range(evenings_open):
        evening = open_evening(world)
        evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer)
    access = access_for(carer.user)
    now = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
    for source in carer_home_sources():
        if source.code.startswith("parents_evening"):
            with django_assert_max_num_queries(3):
                source.fetch(access, now.date(), now)
