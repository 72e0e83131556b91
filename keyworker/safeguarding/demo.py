"""Demo records of the safeguarding app for the demo school: concerns raised from the contacts staff flagged (and a
few raised directly), one child with a chronology of actions, a decision and a referral, and one child on a child
protection plan (which flags a teaching assistant key worker under SCH-A2). Back-dated and deterministic."""

import datetime as dt
import random

from django.db import transaction

from keyworker.accounts.models import StaffMember, StaffRole
from keyworker.caseload.services import child_protection_status_set
from keyworker.contacts.models import ContactLog, SafeguardingCategory
from keyworker.core import clock
from keyworker.organisations.models import Organisation
from keyworker.people.models import Child, ProtectionStatus

from .models import AccessRoute, Agency, Concern, ConcernAccess, ConcernChild, Entry, EntryKind

FROM_CONTACT = ("I am raising this from my phone call with home. {text} I have written down exactly what was said and "
                "told the class teacher.")
DIRECT = [
    (SafeguardingCategory.NEGLECT, "{child} arrived at 8.40 in the same clothes as the last three days and ate two bowls "
                                   "of cereal at breakfast club. {child} said mum was asleep when they left."),
    (SafeguardingCategory.PHYSICAL_ABUSE, "While changing for PE I saw finger-shaped bruises on {child}'s upper arm. When I "
                                          "asked, {child} said \"I fell over\" and would not look at me."),
    (SafeguardingCategory.ONLINE_SAFETY, "{child} told me at lunch that a boy from a game keeps messaging and asked them to "
                                         "keep it secret and send a picture."),
]


def _staff_with_role(organisation: Organisation, code: str) -> StaffMember | None:
    role = StaffRole.objects.filter(organisation=organisation, role__code=code, staff__is_active=True).select_related(
        "staff").order_by("staff_id").first()
    return role.staff if role else None


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _school_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> None:
    """Deterministic, back-dated records for the demo."""
    today = today or clock.today()
    rng = random.Random(seed)
    dsl = _staff_with_role(organisation, "safeguarding_lead")
    head = _staff_with_role(organisation, "headteacher") or dsl
    if dsl is None:
        return
    concerns: list[Concern] = []
    flagged = list(ContactLog.objects.filter(organisation=organisation, flagged_at__isnull=False)
                   .select_related("author").prefetch_related("children").order_by("happened_on", "id")[:6])
    for contact in flagged:
        kids = list(contact.children.all()) or list(Child.objects.filter(family_id=contact.family_id).order_by("id")[:1])
        if not kids:
            continue
        concerns.append(_concern(organisation, kids[0], contact.safeguarding_category, FROM_CONTACT.format(text=contact.write_up),
                                 contact.flagged_at, contact.author, contact=contact))
    pupils = list(Child.objects.filter(organisation=organisation, left_on__isnull=True, setting__kind="school",
                                       group__isnull=False).order_by("id"))
    if not pupils:
        return
    reporters = list(StaffMember.objects.filter(organisation=organisation, is_active=True, staff_roles__role__code__in=[
        "teacher", "teaching_assistant"]).distinct().order_by("id"))
    for i, (category, text) in enumerate(DIRECT):
        child = pupils[rng.randrange(len(pupils))]
        day = _school_day(today - dt.timedelta(days=(3 - i) * 9 + 1))
        reporter = reporters[rng.randrange(len(reporters))] if reporters else head
        concerns.append(_concern(organisation, child, category, text.format(child=child.preferred_name or child.legal_first_name),
                                 _at(day, 9 + i, 20), reporter, present="Nobody else" if i else "The PE teacher"))
    # The team has read all but the newest two.
    ConcernAccess.objects.bulk_create([
        ConcernAccess(organisation=organisation, concern=c, staff=dsl, user_id=dsl.user_id, route=AccessRoute.PAGE,
                      accessed_at=c.raised_at + dt.timedelta(minutes=25))
        for c in sorted(concerns, key=lambda c: c.raised_at)[:-2]
    ])
    # A chronology: the physical-abuse concern followed up with actions, a decision and a referral.
    followed = next((c for c in concerns if c.category == SafeguardingCategory.PHYSICAL_ABUSE), concerns[0])
    _chronology(organisation, followed, dsl, head, today)
    # A child protection plan for the subject of the neglect concern (SCH-A2 flags a teaching assistant key worker).
    planned = next((c for c in concerns if c.category == SafeguardingCategory.NEGLECT and c.child_id != followed.child_id), None)
    if planned is not None:
        child = Child.objects.get(pk=planned.child_id)
        child_protection_status_set(actor=None, child=child, status=ProtectionStatus.CHILD_PROTECTION_PLAN)
        Entry.objects.create(organisation=organisation, child=child, kind=EntryKind.STATUS, status_to=child.protection_status,
                             text="Protection status: None → Child protection plan.", by=dsl,
                             reason="Initial child protection conference decided on a plan under the category of neglect.",
                             at=planned.raised_at + dt.timedelta(days=6))


def _concern(organisation, child, category, text, at, reporter, *, contact=None, present="") -> Concern:
    concern = Concern.objects.create(
        organisation=organisation, setting_id=child.setting_id, child=child, family_id=child.family_id, category=category,
        what_happened=text, happened_at=at - dt.timedelta(minutes=30), present=present, lead_told=contact is None,
        contact=contact, raised_by=reporter, raised_at=at,
    )
    ConcernChild.objects.create(organisation=organisation, concern=concern, child=child)
    return concern


def _chronology(organisation, concern: Concern, dsl: StaffMember, head: StaffMember, today: dt.date) -> None:
    start = concern.raised_at
    day = start.date()
    rows = [
        dict(kind=EntryKind.DECISION, text="Refer to children's services the same day.", at=start + dt.timedelta(hours=1),
             reason="Unexplained marks on a child who would not say how they happened, and a previous neglect concern."),
        dict(kind=EntryKind.REFERRAL, text="Referral made to the children's services front door by phone, followed up in writing.",
             agency=Agency.CHILDRENS_SERVICES, made_on=day, reference="MASH-" + str(40000 + concern.pk),
             decision_due_on=day + dt.timedelta(days=1 if day.weekday() < 4 else 3), at=start + dt.timedelta(hours=2)),
        dict(kind=EntryKind.ACTION, text="Body map completed and kept with the record.", assigned_to=dsl, due_on=day,
             done_at=start + dt.timedelta(hours=1, minutes=30), at=start + dt.timedelta(hours=1, minutes=5)),
        dict(kind=EntryKind.ACTION, text="Check in with the child every morning this week and write down anything said.",
             assigned_to=head, due_on=max(today, day + dt.timedelta(days=7)), at=start + dt.timedelta(hours=2, minutes=10)),
    ]
    Entry.objects.bulk_create([
        Entry(organisation=organisation, child_id=concern.child_id, concern=concern, by=dsl, **row) for row in rows
    ])
