"""Demo records of reminders for the demo school: a review in 3 days whose family prefers e-mail (reminded for real:
the worker writes the e-mail to demo-emails/), and a meeting in 2 days whose family prefers the phone (a task on
the demo key worker's My week, "Remind ... by phone"). Both families are the demo key worker's (the one whose sign-in
the demo prints), other than the carer story's family (keyworker.caseload.demo_story)."""

import datetime as dt

from django.db import transaction

from keyworker.caseload import demo_story as story
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation
from keyworker.people.models import Carer, ContactMethod, ContactRestriction

from .models import Appointment, AppointmentKind, Invitee, InviteeKind, InviteeRole
from .reminders import reminders_send


def _carer(family_id: int) -> Carer | None:
    return (Carer.objects.filter(family_id=family_id).exclude(contact_restriction=ContactRestriction.NO_CONTACT)
            .order_by("contact_order", "id").first())


def _appointment(allocation, carer, *, kind, title, days: int, hour: int, place: str) -> Appointment:
    tz_day = clock.today(allocation.setting.time_zone) + dt.timedelta(days=days)
    starts = clock.start_of_day(tz_day, allocation.setting.time_zone) + dt.timedelta(hours=hour)
    child = allocation.family.children.filter(setting=allocation.setting).order_by("id").first()
    a = Appointment.objects.create(
        organisation_id=allocation.organisation_id, setting=allocation.setting, kind=kind, title=title,
        family=allocation.family, child=child, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), place=place,
        created_by=allocation.staff.user,
    )
    Invitee.objects.create(organisation_id=a.organisation_id, appointment=a, kind=InviteeKind.CARER, role=InviteeRole.FAMILY,
                           carer=carer, name=carer.full_name)
    Invitee.objects.create(organisation_id=a.organisation_id, appointment=a, kind=InviteeKind.STAFF,
                           role=InviteeRole.KEY_WORKER, staff=allocation.staff, name=allocation.staff.user.full_name)
    return a


@transaction.atomic
def demo_history(*, organisation: Organisation) -> None:
    # Two families of the demo key worker (the one the demo prints, whose My week shows the phone task), other than the
    # family of the carer story (keyworker.caseload.demo_story): one prefers e-mail, the other the phone. Another school: the
    # first key worker with two families.
    story_family = story.story_family_id(organisation)
    mine = [a for a in story.key_worker_allocations(organisation).select_related("family", "setting", "staff__user")
            if a.family_id != story_family and _carer(a.family_id)]
    pair = mine[:2] if len(mine) >= 2 else None
    if pair is None:
        allocations = list(KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
                           .select_related("family", "setting", "staff__user").order_by("staff_id", "family_id")[:200])
        by_staff: dict[int, list] = {}
        for a in allocations:
            by_staff.setdefault(a.staff_id, []).append(a)
        pair = next((rows[:2] for rows in by_staff.values() if len(rows) >= 2 and all(_carer(r.family_id) for r in rows[:2])),
                    None)
    if pair is None:
        return
    emailing, phoning = pair
    carer = _carer(emailing.family_id)
    carer.preferred_contact_method = ContactMethod.EMAIL
    carer.email = carer.email or f"{carer.first_name}.{carer.last_name}@example.org".lower().replace(" ", "")
    carer.save(update_fields=["preferred_contact_method", "email"])
    _appointment(emailing, carer, kind=AppointmentKind.ANNUAL_REVIEW, title="EHCP annual review", days=3, hour=10,
                 place="Meeting room 1")
    phoned = _carer(phoning.family_id)
    phoned.preferred_contact_method = ContactMethod.PHONE
    phoned.save(update_fields=["preferred_contact_method"])
    _appointment(phoning, phoned, kind=AppointmentKind.REVIEW_MEETING, title="Review meeting", days=2, hour=15,
                 place="Family room")
    tz = emailing.setting.time_zone
    reminders_send(organisation_id=organisation.pk, as_of=clock.today(tz), now=clock.now())
