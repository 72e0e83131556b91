"""Demo of parents' evenings for the demo school: an evening in about two weeks, open for booking since a few days
ago, with about a third of each member of staff's slots booked by families (as the office and the portal would)."""

import datetime as dt
import random

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Child

from . import evenings

BOOKED_SHARE = 0.35


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Open the evening in the organisation's first school and book some slots. Returns the number of bookings."""
    now = clock.now()
    today = today or clock.today()
    rng = random.Random(seed)
    setting = Setting.objects.filter(organisation=organisation, kind="school").order_by("id").first()
    leader = StaffMember.objects.filter(organisation=organisation, is_active=True, staff_roles__role__code="headteacher").first()
    if setting is None or leader is None:
        return 0
    day = today + dt.timedelta(days=14)
    while day.weekday() >= 5:  # a weekday
        day += dt.timedelta(days=1)
    plan = evenings.evening_plan(setting=setting, day=day, starts=dt.time(16, 0), ends=dt.time(19, 0), slot_minutes=10,
                                 break_starts=dt.time(17, 30), break_ends=dt.time(17, 40))
    staff = list(StaffMember.objects.filter(pk__in=evenings.default_staff_ids(setting)))
    if not staff:
        return 0
    evening = evenings.evening_open(
        actor=actor_for(leader.user, organisation.pk), setting=setting, title="Autumn parents' evening", plan=plan, staff=staff,
        booking_opens_at=now - dt.timedelta(days=3), booking_closes_at=evenings.local(setting, day - dt.timedelta(days=1), dt.time(18, 0)),
        place="School hall", now=now,
    )
    children = list(Child.objects.filter(setting=setting, left_on__isnull=True).select_related("family").order_by("id"))
    by_family = {}
    for c in children:
        by_family.setdefault(c.family_id, c)
    key_workers = KeyWorkerAllocation.objects.filter(setting=setting, ends_at__isnull=True).values_list("family_id", "staff_id")
    families_of: dict[int, list[int]] = {}
    for family_id, staff_id in key_workers:
        families_of.setdefault(staff_id, []).append(family_id)
    booked = 0
    for member in staff:
        slots = evenings.slots_free(evening, member.pk)
        families = [f for f in families_of.get(member.pk, []) if f in by_family]
        rng.shuffle(families)
        for slot, family_id in zip(rng.sample(slots, k=len(slots)), families[: int(len(slots) * BOOKED_SHARE)], strict=False):
            child = by_family[family_id]
            evenings.booking_create(by=None, slot=slot, child=child, carer=evenings.first_carer(child), office=True, now=now)
            booked += 1
    return booked
