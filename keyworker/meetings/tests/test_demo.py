"""The demo's appointments: in both organisations, relative to today, some answered, one cancelled, some held."""

import pytest

from keyworker.demo import builder
from keyworker.organisations.models import Organisation

from ..models import Appointment, AppointmentKind, AppointmentStatus, Invitee, Rsvp

pytestmark = pytest.mark.django_db


def test_the_demo_has_appointments_in_both_organisations(clock):
    builder.build()
    from keyworker.core import clock as kw_clock

    now = kw_clock.now()
    for slug in (builder.SCHOOL_SLUG, builder.GROUP_SLUG):
        org = Organisation.objects.get(slug=slug)
        mine = Appointment.objects.filter(organisation=org)
        assert mine.filter(starts_at__gt=now, status=AppointmentStatus.SCHEDULED).exists(), slug
        assert mine.filter(status=AppointmentStatus.CANCELLED).exists(), slug
        assert mine.filter(status=AppointmentStatus.HELD, starts_at__lt=now).exists(), slug
    group = Appointment.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert group.filter(kind=AppointmentKind.MANAGER_INTRODUCTION, status=AppointmentStatus.HELD).exists()
    assert group.filter(kind=AppointmentKind.INDUCTION, invitees__attended=True).exists()
    assert Appointment.objects.filter(kind=AppointmentKind.REVIEW_MEETING, starts_at__gt=now).exists()
    assert Invitee.objects.filter(rsvp=Rsvp.YES, appointment__starts_at__gt=now).exists()
