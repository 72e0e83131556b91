"""Demo briefings for the demo school: a few recent changes to key aspects, some read by everyone, some waiting.

The changes go through the people app's service (so the briefings, recipients and notifications are the real
ones), then are moved back to the day they happened. Deterministic: a fixed seed and fixed offsets from today.
"""

import datetime as dt
import random
import zoneinfo

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import GroupMembership, StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.notifications.models import Delivery, DeliveryStatus, Notification
from keyworker.organisations.models import Organisation
from keyworker.people.models import Child, KeyAspectChange
from keyworker.people.services import key_aspects_update
from keyworker.standards.models import Obligation

from .evidence import BRIEFING_ACKNOWLEDGED
from .models import Briefing, BriefingRecipient, RecipientRole

KEY_WORKER_EMAIL = "louise.quinn@brookfieldpark.sch.uk"

# (days ago, author: "teacher" | "office" | "deputy", changes, does the key worker read it, after how many hours)
KEY_WORKER_CHANGES = [
    (12, "teacher", {"behaviour_plan": "Calm corner and a visual timetable; a five-minute warning before each change of activity"}, True, 2),
    (8, "deputy", {"first_language": "Polish", "family_circumstances": "Dad works away Monday to Thursday; Grandma collects on those days"}, False, 0),
    (3, "teacher", {"medical_needs": "Type 1 diabetes: blood sugar check before lunch, hypo kit in the classroom",
                    "risk_assessments": "Diabetes care plan and school trip risk assessment updated by the school nurse"}, True, 20),
    (1, "office", {"allergies": "Peanuts and tree nuts: EpiPen in the class first aid bag, a spare in the office"}, False, 0),
]
OTHER_CHANGES = [
    {"allergies": "Egg (mild): no egg at lunch, baked egg is fine"},
    {"outside_agencies": "Speech and language therapy, fortnightly on Tuesdays"},
    {"religion": "Muslim", "family_circumstances": "Fasting during Ramadan at home; the family asked for a quiet space"},
    {"medical_needs": "Asthma: blue inhaler in class, spacer in the office"},
    {"risk_assessments": "Playground risk assessment after a fall from the climbing frame"},
    {"family_circumstances": "Parents separated; both have parental responsibility; Mum collects Monday to Wednesday"},
]


def _school_day(today: dt.date, days_ago: int) -> dt.date:
    day = today - dt.timedelta(days=days_ago)
    while day.weekday() >= 5:  # a change made at the weekend would be unusual: the Friday before
        day -= dt.timedelta(days=1)
    return day


def _key_worker(organisation: Organisation) -> StaffMember | None:
    staff = StaffMember.objects.filter(organisation=organisation, user__email=KEY_WORKER_EMAIL).first()
    if staff is not None:
        return staff
    # Another seed names other people: the teaching assistant with the most families.
    ids = list(KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
               .values_list("staff_id", flat=True).order_by("staff_id"))
    return StaffMember.objects.filter(pk=max(set(ids), key=lambda i: (ids.count(i), -i))).first() if ids else None


def _back_date(briefing: Briefing, at: dt.datetime) -> None:
    """Move a briefing made now to when it happened: the change rows, the author's reading, the notifications."""
    change_ids = list(briefing.items.values_list("change_id", flat=True))
    KeyAspectChange.objects.filter(pk__in=change_ids).update(changed_at=at)
    Briefing.objects.filter(pk=briefing.pk).update(created_at=at)
    BriefingRecipient.objects.filter(briefing=briefing, acknowledged_as_author=True).update(acknowledged_at=at)
    notes = Notification.objects.filter(organisation_id=briefing.organisation_id, dedupe_key=f"briefing:{briefing.pk}")
    notes.update(created_at=at)
    notes.filter(digest=True).update(digested_at=min(at + dt.timedelta(days=1), clock.now()))  # the next day's digest
    # They went out when they were made; the demo's worker should not send old news today.
    Delivery.objects.filter(notification__in=notes).update(status=DeliveryStatus.SENT, sent_at=at, next_attempt_at=at, created_at=at)


def _read(briefing: Briefing, at: dt.datetime, *, roles: tuple[str, ...]) -> None:
    BriefingRecipient.objects.filter(briefing=briefing, role__in=roles, acknowledged_at__isnull=True).update(acknowledged_at=at)
    Notification.objects.filter(
        organisation_id=briefing.organisation_id, dedupe_key=f"briefing:{briefing.pk}",
        recipient__memberships__briefings_received__briefing=briefing,
        recipient__memberships__briefings_received__role__in=roles,
    ).update(read_at=at)


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Write the demo's briefings and bring the obligations up to date; returns how many briefings were made."""
    from keyworker.standards import engine

    today = today or clock.today()
    rng = random.Random(seed)
    key_worker = _key_worker(organisation)
    if key_worker is None:
        return 0
    staff = {
        "office": StaffMember.objects.filter(organisation=organisation, staff_roles__role__code="admin_office").order_by("id").first(),
        "deputy": StaffMember.objects.filter(organisation=organisation, staff_roles__role__code="deputy_headteacher").order_by("id").first(),
    }
    families = KeyWorkerAllocation.objects.filter(staff=key_worker, ends_at__isnull=True).values("family_id")
    mine = list(Child.objects.filter(organisation=organisation, family_id__in=families, left_on__isnull=True)
                .select_related("setting", "family").order_by("id"))
    others = list(Child.objects.filter(organisation=organisation, left_on__isnull=True, group__isnull=False)
                  .exclude(family_id__in=families).select_related("setting", "family").order_by("id"))
    teachers = {
        m.group_id: m.staff for m in GroupMembership.objects.filter(organisation=organisation, staff__staff_roles__role__code="teacher")
        .select_related("staff__user").order_by("id")
    }
    plan: list[tuple[dt.datetime, Child, StaffMember, dict, float | None, tuple[str, ...]]] = []
    zone = zoneinfo.ZoneInfo("Europe/London")
    for i, (days_ago, who, changes, read, after_hours) in enumerate(KEY_WORKER_CHANGES):
        if not mine:
            break
        child = mine[i % len(mine)]
        author = teachers.get(child.group_id) if who == "teacher" else staff[who]
        at = dt.datetime.combine(_school_day(today, days_ago), dt.time(9, 0), tzinfo=zone) + dt.timedelta(minutes=rng.randint(0, 390))
        # The key worker reads some; the class team most.
        plan.append((at, child, author, changes, after_hours if read else None,
                     (RecipientRole.KEY_WORKER, RecipientRole.CLASS_TEAM) if read else (RecipientRole.CLASS_TEAM,)))
    for changes in OTHER_CHANGES:
        if not others:
            break
        child = rng.choice(others)
        author = teachers.get(child.group_id) or staff["office"]
        at = dt.datetime.combine(_school_day(today, rng.randint(2, 20)), dt.time(9, 0), tzinfo=zone) + dt.timedelta(
            minutes=rng.randint(0, 390))
        everyone = rng.random() < 0.7
        plan.append((at, child, author, changes, rng.choice([1, 3, 20]),
                     (RecipientRole.KEY_WORKER, RecipientRole.CLASS_TEAM) if everyone else (RecipientRole.KEY_WORKER,)))
    made = 0
    now = clock.now()
    for at, child, author, changes, after_hours, roles in sorted(plan, key=lambda p: p[0]):
        if author is None or at >= now:
            continue
        key_aspects_update(actor=actor_for(author.user, organisation.pk), child=child, changes=changes)
        briefing = Briefing.objects.filter(child=child).order_by("-id").first()
        if briefing is None or briefing.created_at < now - dt.timedelta(minutes=5):
            continue  # nothing changed (already so)
        _back_date(briefing, at)
        if after_hours is not None:
            _read(briefing, min(at + dt.timedelta(hours=after_hours), now), roles=roles)
        made += 1
    # Each change was first briefed today (and its SCH-3 obligation made for today); now that the changes are back
    # on their days, those obligations are computed again from the back-dated records.
    Obligation.objects.filter(organisation=organisation, standard__evidence=BRIEFING_ACKNOWLEDGED).delete()
    engine.recompute(organisation_id=organisation.pk, as_of=today, rebuild=True)
    return made
