"""The demo school has a parents' evening in about two weeks, open for booking, with some slots booked."""

import datetime as dt

import pytest

from keyworker.demo import builder
from keyworker.meetings.evenings_models import ParentsEvening
from keyworker.meetings.models import Appointment, AppointmentKind
from keyworker.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_parents_evening_with_bookings(clock):
    builder.build()
    school = Organisation.objects.get(slug=builder.SCHOOL_SLUG)
    evening = ParentsEvening.objects.get(organisation=school)
    now = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
    assert evening.booking_open(now) and dt.timedelta(days=13) < evening.starts_at - now < dt.timedelta(days=17)
    booked = evening.slots.filter(family__isnull=False).count()
    assert 0 < booked < evening.slots.count()
    assert Appointment.objects.filter(organisation=school, kind=AppointmentKind.PARENTS_EVENING).count() == booked
