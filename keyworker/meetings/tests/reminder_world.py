"""Test data for reminders and calendars: appointments made directly with the models, and the appointment event
(registered by the appointments pages' part of the app) stood in for while a test needs it."""

import datetime as dt

from keyworker.meetings.models import Appointment, AppointmentStatus, Invitee, InviteeKind, InviteeRole
from keyworker.people.models import Carer, ContactMethod
from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    event_source,
    register_events,
    unregister_events,
)

NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)  # conftest's FIXED_NOW: Wed 18 Nov 2026
TODAY = NOW.date()


def appointment(world, *, starts_in: dt.timedelta = dt.timedelta(days=2), family=None, carers=(), staff=(),
                status=AppointmentStatus.SCHEDULED, title="Review meeting", place="Room 4", video_link="",
                created_by=None, setting=None, org=None) -> Appointment:
    start = NOW + starts_in
    a = Appointment.objects.create(
        organisation=org or world.org, setting=setting or world.school, kind="review_meeting", title=title, family=family,
        starts_at=start, ends_at=start + dt.timedelta(hours=1), place=place, video_link=video_link, status=status,
        notes="Staff only: talked about the EHCP draft", cancellation_reason="Staff only reason" if status == "cancelled" else "",
        created_by=(created_by or world.ta_a).user,
    )
    for c in carers:
        Invitee.objects.create(organisation_id=a.organisation_id, appointment=a, kind=InviteeKind.CARER,
                               role=InviteeRole.FAMILY, carer=c, name=c.full_name)
    for s in staff:
        Invitee.objects.create(organisation_id=a.organisation_id, appointment=a, kind=InviteeKind.STAFF,
                               role=InviteeRole.KEY_WORKER, staff=s, name=s.user.full_name)
    return a


def carer_of(family, **fields) -> Carer:
    carer = family.carers.order_by("id").first()
    for k, v in fields.items():
        setattr(carer, k, v)
    carer.save()
    return carer


def emailing(family, address: str) -> Carer:
    return carer_of(family, preferred_contact_method=ContactMethod.EMAIL, email=address)


def appointment_events(organisation_id: int, start: dt.date, end: dt.date, families=None):
    qs = Appointment.objects.filter(organisation_id=organisation_id, family__isnull=False,
                                    status=AppointmentStatus.SCHEDULED, starts_at__date__gte=start, starts_at__date__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return [EventRow(f, c, s.date(), f"appointment:{pk}") for pk, f, c, s in qs.values_list("id", "family_id", "child_id", "starts_at")]


class AppointmentEvent:
    """Registers the appointment event if no one has (and removes only what it registered)."""

    def __enter__(self):
        self.ours = event_source("appointment") is None
        if self.ours:
            register_events(EventSource("appointment", "An appointment", appointment_events, by_family=True))
        return self

    def __exit__(self, *exc):
        if self.ours:
            unregister_events("appointment")
