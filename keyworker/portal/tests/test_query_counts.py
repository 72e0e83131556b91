"""Portal pages take a fixed number of queries whatever the number of rows they list: the list of forms, the enrolment
form, the contact preference, the messages, the calendar, the parents' evenings, the reviews and "All about my
family". Each page is opened with one row and again with ten (the messages list: two, since one family goes straight
to its conversation) and must take exactly as many queries, under a ceiling."""

import datetime as dt

import pytest

from keyworker.core import clock
from keyworker.meetings import evenings, reviews
from keyworker.meetings.models import AppointmentKind
from keyworker.meetings.services import appointment_create
from keyworker.meetings.tests.evening_helpers import open_evening, slots_of
from keyworker.organisations.models import SettingKind
from keyworker.people.models import Child
from keyworker.testing import (
    add_calendar,
    allocate,
    carer_account,
    make_child,
    make_family,
    make_group,
    make_setting,
    make_staff,
    portal_client,
)

pytestmark = pytest.mark.django_db

EMAIL = "amy.adams@example.org"
LONDON_2PM = dt.time(14, 0)


def _carer(world):
    carer = world.family_a.carers.order_by("contact_order", "id").first()
    carer_account(carer, EMAIL)
    return carer


def _same_count(client, url, django_assert_max_num_queries, django_assert_num_queries, add, ceiling):
    """Open `url` with what is there, `add()` more rows, open it again: the same number of queries, at most `ceiling`."""
    client.get(url)  # the session and anything cached once per process
    with django_assert_max_num_queries(ceiling) as few:
        assert client.get(url).status_code == 200, url
    count = len(few)  # now: the next request empties the connection's log
    add()
    client.get(url)
    with django_assert_num_queries(count):
        response = client.get(url)
        assert response.status_code == 200, url
    return response.content.decode()


class Nursery:
    def __init__(self, world):
        self.world = world
        self.setting = make_setting(world.org, SettingKind.EARLY_YEARS, name="Little Acorns")
        add_calendar(self.setting)
        self.room = make_group(self.setting, "Ladybirds", "Pre-school")
        self.key_person = make_staff(world.org, self.setting, ["practitioner"], [self.room], name="Priya Patel")

    def child(self, family, n):
        child = make_child(family, self.setting, self.room, legal_first_name=f"Nia{n}",
                           date_of_birth=dt.date(2023, 3, 1), enrolled_on=dt.date(2026, 9, 2))
        if n == 0 or family.pk != self.world.family_a.pk:
            allocate(family, self.setting, self.key_person)
        return child


def _another_family(world, n, nursery=None):
    """A family of the same carer (the same account): a child at school, and one at the nursery when given."""
    family = make_family(world.org, f"The Adams{n} family")
    make_child(family, world.school, world.class_a, legal_first_name=f"Ava{n}")
    allocate(family, world.school, world.ta_a)
    if nursery:
        nursery.child(family, n)
    carer_account(family.carers.first(), EMAIL)
    return family


def test_the_list_of_forms(world, django_assert_max_num_queries, django_assert_num_queries):
    nursery = Nursery(world)
    carer = _carer(world)
    nursery.child(world.family_a, 0)
    client = portal_client(carer)
    html = _same_count(client, "/family/forms/", django_assert_max_num_queries, django_assert_num_queries,
                       lambda: [_another_family(world, n, nursery) for n in range(1, 10)], ceiling=10)
    assert html.count("Enrolment form for") == 10 and html.count("How you like to be contacted") == 10


def test_the_enrolment_form(world, django_assert_max_num_queries, django_assert_num_queries):
    nursery = Nursery(world)
    carer = _carer(world)
    first = nursery.child(world.family_a, 0)
    client = portal_client(carer)
    _same_count(client, f"/family/forms/children/{first.pk}/enrolment/", django_assert_max_num_queries,
                django_assert_num_queries, lambda: [nursery.child(world.family_a, n) for n in range(1, 10)], ceiling=10)


def test_the_contact_preference(world, django_assert_max_num_queries, django_assert_num_queries):
    carer = _carer(world)
    client = portal_client(carer)
    _same_count(client, f"/family/forms/{world.family_a.pk}/contact/", django_assert_max_num_queries,
                django_assert_num_queries, lambda: [_another_family(world, n) for n in range(1, 10)], ceiling=8)


def test_the_list_of_messages(world, django_assert_max_num_queries, django_assert_num_queries):
    carer = _carer(world)
    _another_family(world, 1)
    client = portal_client(carer)
    html = _same_count(client, "/family/messages/", django_assert_max_num_queries, django_assert_num_queries,
                       lambda: [_another_family(world, n) for n in range(2, 10)], ceiling=6)
    assert html.count("The Adams") >= 10


def _appointment(world, carer, n):
    day = clock.today() + dt.timedelta(days=3 + n)
    starts = dt.datetime.combine(day, LONDON_2PM, tzinfo=dt.UTC)
    return appointment_create(actor=world.actor(world.ta_a), setting=world.school, kind=AppointmentKind.REVIEW_MEETING,
                              title=f"Meeting {n}", starts_at=starts, ends_at=starts + dt.timedelta(minutes=30),
                              family=world.family_a, place="Room 4", carers=[carer], staff=[world.ta_a])


def test_the_calendar(world, django_assert_max_num_queries, django_assert_num_queries):
    carer = _carer(world)
    _appointment(world, carer, 0)
    client = portal_client(carer)
    client.post("/family/calendar/address/")  # with its private address shown
    html = _same_count(client, "/family/calendar/", django_assert_max_num_queries, django_assert_num_queries,
                       lambda: [_appointment(world, carer, n) for n in range(1, 10)], ceiling=8)
    assert html.count(".ics") >= 10


def _evening(world, carer, n):
    evening = open_evening(world, title=f"Parents' evening {n}")
    evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer)
    return evening


def test_the_parents_evenings(world, django_assert_max_num_queries, django_assert_num_queries):
    carer = _carer(world)
    _evening(world, carer, 0)
    client = portal_client(carer)
    html = _same_count(client, "/family/bookings/", django_assert_max_num_queries, django_assert_num_queries,
                       lambda: [_evening(world, carer, n) for n in range(1, 10)], ceiling=10)
    assert all(f"evening {n}</a>" in html for n in range(10)) and html.count("Change or cancel") == 10


def _review(world, child):
    Child.objects.filter(pk=child.pk).update(has_ehcp=True)
    child.refresh_from_db()
    review = reviews.review_open(actor=world.actor(world.headteacher), child=child,
                                 last_review_on=clock.today() - dt.timedelta(days=340))
    starts = dt.datetime.combine(clock.today() + dt.timedelta(days=12), LONDON_2PM, tzinfo=dt.UTC)
    return reviews.review_schedule(actor=world.actor(world.headteacher), review=review, starts_at=starts,
                                   ends_at=starts + dt.timedelta(hours=1), place="Meeting room 2")


def _more_reviews(world, n):
    for i in range(n):
        _review(world, make_child(world.family_a, world.school, world.class_a, legal_first_name=f"Ava{i}"))


def test_all_about_my_family(world, django_assert_max_num_queries, django_assert_num_queries):
    carer = _carer(world)
    review = _review(world, world.child_a)
    client = portal_client(carer)
    _same_count(client, f"/family/reviews/{review.pk}/all-about-my-family/", django_assert_max_num_queries,
                django_assert_num_queries, lambda: _more_reviews(world, 9), ceiling=8)


def test_the_list_of_reviews(world, django_assert_max_num_queries, django_assert_num_queries):
    carer = _carer(world)
    _review(world, world.child_a)
    client = portal_client(carer)
    html = _same_count(client, "/family/reviews/", django_assert_max_num_queries, django_assert_num_queries,
                       lambda: _more_reviews(world, 9), ceiling=8)
    assert html.count("annual review") >= 10
