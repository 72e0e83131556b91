"""A deterministic, back-dated history of contact logs for the demo school: roughly weekly per family, with gaps, and
a few contacts flagged as safeguarding concerns (restricted records the safeguarding team reads)."""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict

from django.db import transaction

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import HalfTerm, Organisation
from keyworker.people.models import Carer, Child, ContactRestriction

from .models import (
    CHANNEL_MEETS_PREFERENCE,
    Channel,
    ContactLog,
    ContactLogRevision,
    Direction,
    SafeguardingCategory,
    Tone,
)
from .services import REVISED_FIELDS, word_count

TONES = [(Tone.CELEBRATION, 15), (Tone.POSITIVE, 50), (Tone.NEUTRAL, 22), (Tone.CONCERN, 13)]
WRITE_UPS = {
    Tone.CELEBRATION: [
        "Told {carer} that {child} was Star of the week for helping a friend in class.",
        "Sent a Well Done postcard home: {child} read a whole page aloud to the class today.",
        "Shared with {carer} that {child} reached 100 Dojo Points this half term.",
    ],
    Tone.POSITIVE: [
        "Caught up with {carer} at the gate: {child} has settled well after the weekend.",
        "Let {carer} know {child} joined in with group work and tried really hard in maths.",
        "{carer} thanked us for the reading book; {child} is enjoying it at bedtime.",
        "Quick chat with {carer} about swimming kit; {child} is looking forward to Thursday.",
    ],
    Tone.NEUTRAL: [
        "Reminded {carer} about the parents' evening booking and the new PE day.",
        "{carer} asked about the trip letter; explained the date and what {child} needs to bring.",
        "Confirmed the new phone number with {carer} and passed it to the office.",
    ],
    Tone.CONCERN: [
        "{carer} said {child} has been tired and upset in the mornings; agreed to check in daily this week.",
        "Spoke to {carer} about {child} finding playtimes hard; we will try a buddy at lunchtime.",
        "{child} was late three times this week; {carer} explained the new bus route and we discussed options.",
    ],
}
# A concern that is a safeguarding matter: about one in forty concerns, written as a member of staff would.
SAFEGUARDING = [
    (SafeguardingCategory.NEGLECT, "{child} came in without a coat again and said there was no breakfast at home; {carer} was not at the gate."),
    (SafeguardingCategory.PHYSICAL_ABUSE, "{child} had a bruise on the upper arm and was reluctant to say how it happened; told {carer} we noticed it."),
    (SafeguardingCategory.EMOTIONAL_ABUSE, "{child} said they are often shouted at and called names at home; {child} was tearful at lunchtime."),
    (SafeguardingCategory.DOMESTIC_ABUSE, "{carer} said there was a row at home at the weekend and the police were called; {child} was quiet all day."),
    (SafeguardingCategory.ONLINE_SAFETY, "{child} said an older person they met in a game asked for photos; {carer} did not know about the game."),
    (SafeguardingCategory.MENTAL_HEALTH, "{carer} said {child} talks about not wanting to be here any more; {carer} is very worried."),
]
FOLLOW_UPS = [
    "Check in with {carer} again on Friday about how the week went.",
    "Talk to the class teacher about a quiet space at playtime.",
    "Phone {carer} next week to see whether the new routine is working.",
]


def _weeks(half_terms: list[HalfTerm], today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The term-time days (Monday to Friday) of each week from the start of the current school year up to today."""
    out = []
    for ht in half_terms:
        monday = ht.starts_on - dt.timedelta(days=ht.starts_on.weekday())
        while monday <= min(ht.ends_on, today):
            first, last = max(monday, ht.starts_on), min(monday + dt.timedelta(days=4), ht.ends_on, today)
            if first <= last:
                out.append((first, last))
            monday += dt.timedelta(days=7)
    return out


@transaction.atomic
def _corrections(organisation: Organisation, logs: list[ContactLog], about: list[list[Child]], users: dict[int, int],
                 rng: random.Random) -> None:
    """A few contacts corrected by their author minutes after recording: the page shows what they said before."""
    revisions, edited = [], []
    for log, kids in zip(logs, about, strict=True):
        if log.flagged_at is not None or rng.random() > 0.03:
            continue
        previous = {name: getattr(log, name) for name in REVISED_FIELDS}
        previous = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in previous.items()}
        previous["write_up"] = log.write_up.split(";")[0].split(".")[0] + "."  # the first, shorter draft
        previous["children"] = [c.pk for c in kids]
        log.edited_at, log.version = min(log.created_at + dt.timedelta(minutes=rng.randint(3, 40)), clock.now()), 2
        revisions.append(ContactLogRevision(organisation=organisation, contact=log, previous=previous,
                                            edited_by_id=users[log.author_id], edited_at=log.edited_at))
        edited.append(log)
    ContactLog.objects.bulk_update(edited, ["edited_at", "version"], batch_size=1000)
    ContactLogRevision.objects.bulk_create(revisions, batch_size=1000)


def contacts_demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Write the history for each current key worker allocation, then recompute the organisation's obligations."""
    from keyworker.standards import engine

    today = today or clock.today()
    rng = random.Random(seed)
    allocations = list(
        KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
        .select_related("setting", "staff").order_by("family_id", "setting_id")
    )
    carers: dict[int, list[Carer]] = defaultdict(list)
    for c in Carer.objects.filter(organisation=organisation).exclude(contact_restriction=ContactRestriction.NO_CONTACT).order_by(
        "family_id", "contact_order", "id"
    ):
        carers[c.family_id].append(c)
    children: dict[tuple[int, int], list[Child]] = defaultdict(list)
    for ch in Child.objects.filter(organisation=organisation, left_on__isnull=True).order_by("id"):
        children[(ch.family_id, ch.setting_id)].append(ch)
    half_terms: dict[int, list[HalfTerm]] = {}
    logs: list[ContactLog] = []
    about: list[list[Child]] = []
    for a in allocations:
        if a.setting_id not in half_terms:
            year_start = dt.date(today.year if today.month >= 8 else today.year - 1, 8, 1)
            half_terms[a.setting_id] = list(
                HalfTerm.objects.filter(setting_id=a.setting_id, starts_on__gte=year_start, starts_on__lte=today).order_by("starts_on")
            )
        kids, family_carers = children.get((a.family_id, a.setting_id), []), carers.get(a.family_id, [])
        if not kids or not family_carers:
            continue
        zone = zoneinfo.ZoneInfo(a.setting.time_zone or "Europe/London")
        worrying = rng.random() < 0.08  # a few families whose recent contact is mostly concern
        weeks = _weeks(half_terms[a.setting_id], today)
        for i, (first, last) in enumerate(weeks):
            from_end = len(weeks) - 1 - i
            chance = 0.35 if from_end == 0 else 0.7 if from_end == 1 else 0.88
            if rng.random() > chance:
                continue
            day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
            carer = family_carers[0] if rng.random() < 0.8 else rng.choice(family_carers)
            child = rng.choice(kids)
            tone = Tone.CONCERN if worrying and from_end < 4 and rng.random() < 0.75 else rng.choices(
                [t for t, _ in TONES], [w for _, w in TONES])[0]
            preferred = [ch for ch, methods in CHANNEL_MEETS_PREFERENCE.items() if carer.preferred_contact_method in methods]
            channel = preferred[0] if preferred and rng.random() < 0.82 else rng.choice(list(Channel.values))
            words = {"carer": carer.first_name, "child": child.preferred_name or child.legal_first_name}
            write_up = rng.choice(WRITE_UPS[tone]).format(**words)
            follow_up = rng.choice(FOLLOW_UPS).format(**words) if tone == Tone.CONCERN else ""
            at = dt.datetime.combine(day, dt.time(15, 10), tzinfo=zone) + dt.timedelta(minutes=rng.randint(0, 120))
            at = min(at, clock.now())  # today's, if the day is not over, were written just now
            flag = {}
            if tone == Tone.CONCERN and rng.random() < 0.025:
                category, text = rng.choice(SAFEGUARDING)
                write_up, follow_up = text.format(**words), ""
                flag = {"safeguarding_category": category, "flagged_at": at, "flagged_by_id": a.staff.user_id}
            logs.append(ContactLog(
                organisation=organisation, family_id=a.family_id, setting_id=a.setting_id, author_id=a.staff_id, happened_on=day,
                channel=channel, direction=Direction.FROM_SCHOOL if rng.random() < 0.8 else Direction.FROM_FAMILY, tone=tone,
                carer=carer, write_up=write_up, word_count=word_count(write_up), follow_up=follow_up,
                follow_up_on=day + dt.timedelta(days=7) if follow_up else None,
                used_preferred_method=bool(preferred) and channel in preferred, created_at=at, **flag,
            ))
            about.append([child])
    ContactLog.objects.bulk_create(logs, batch_size=1000)
    through = ContactLog.children.through
    through.objects.bulk_create(
        [through(contactlog_id=log.pk, child_id=ch.pk) for log, kids in zip(logs, about, strict=True) for ch in kids], batch_size=2000
    )
    _corrections(organisation, logs, about, {a.staff_id: a.staff.user_id for a in allocations}, rng)
    engine.recompute(organisation_id=organisation.pk, as_of=today, rebuild=True)
    return len(logs)


ABSENCE_WRITE_UPS = [
    "Phoned {carer} about {child}'s absence: {child} had a temperature and is back tomorrow.",
    "{carer} rang back about the absence: a family emergency; agreed to let the office know next time.",
    "Spoke to {carer} at the gate about {child}'s absence: overslept after a late night; talked about the morning routine.",
]
ABSENCE_FOLLOWED_UP = 0.85  # the share of unexplained absences the key worker follows up (the rest show as missed)


def absence_follow_ups_demo(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """A contact about most unexplained absences of the school year so far, by the family's key worker, on the day or
    the next: each names the absence it follows up, so it challenges that absence (SCH-5) and no other. Today's are
    left for My week. Runs after the register's history."""
    from keyworker.standards import engine

    from .absences import unexplained_absences

    today = today or clock.today()
    rng = random.Random(seed + 5)
    year_start = dt.date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    absences = unexplained_absences(organisation.pk, None, year_start, today - dt.timedelta(days=1))
    keyworkers = {
        a.family_id: a for a in KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
        .select_related("setting").order_by("family_id", "setting_id")
    }
    carers: dict[int, Carer] = {}
    for c in Carer.objects.filter(organisation=organisation).exclude(contact_restriction=ContactRestriction.NO_CONTACT).order_by(
        "-family_id", "-contact_order", "-id"
    ):
        carers[c.family_id] = c  # the first in contact order wins
    names = {c.pk: c.preferred_name or c.legal_first_name for c in Child.objects.filter(organisation=organisation)}
    calendars: dict[int, TermCalendar] = {}
    logs = []
    for child_id, family_id, day in absences:
        a, carer = keyworkers.get(family_id), carers.get(family_id)
        if a is None or carer is None or rng.random() > ABSENCE_FOLLOWED_UP:
            continue
        on = day + dt.timedelta(days=rng.choice([0, 0, 1]))
        calendar = calendars.setdefault(a.setting_id, TermCalendar.for_setting(a.setting))
        while not calendar.is_school_day(on) and on <= today:  # a Friday's absence is followed up on the next school day
            on += dt.timedelta(days=1)
        if on > today:
            continue  # that school day has not come yet: the absence waits on My week
        write_up = rng.choice(ABSENCE_WRITE_UPS).format(carer=carer.first_name, child=names.get(child_id, "your child"))
        zone = zoneinfo.ZoneInfo(a.setting.time_zone or "Europe/London")
        logs.append(ContactLog(
            organisation=organisation, family_id=family_id, setting_id=a.setting_id, author_id=a.staff_id, happened_on=on,
            channel=Channel.PHONE, direction=Direction.FROM_SCHOOL, tone=Tone.NEUTRAL, carer=carer, write_up=write_up,
            word_count=word_count(write_up), created_at=min(dt.datetime.combine(on, dt.time(10, 15), tzinfo=zone), clock.now()),
            absence_child_id=child_id, absence_on=day,
        ))
    ContactLog.objects.bulk_create(logs, batch_size=1000)
    through = ContactLog.children.through
    through.objects.bulk_create([through(contactlog_id=log.pk, child_id=log.absence_child_id) for log in logs], batch_size=2000)
    if logs:
        engine.recompute(organisation_id=organisation.pk, as_of=today)
    return len(logs)


# Portal messages ---------------------------------------------------------------------------------------------------

MESSAGES_KEY_WORKER_EMAIL = "louise.quinn@brookfieldpark.sch.uk"
THREAD = (
    # (days ago, hour, minute, from the family, text)
    (6, 9, 15, True, "Hi, {child} has been worried about the swimming lesson on Thursday. Is there anything we can do "
                     "to help {them} feel ready?"),
    (6, 14, 5, False, "Thanks for letting me know. We will visit the pool changing rooms together on Wednesday so {child} "
                      "knows what to expect, and I will stay close by on Thursday."),
    (0, 7, 40, True, "Thank you, that really helped! {child} also asked if {they} can bring {their} own goggles. Is that OK?"),
)


def messages_demo(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """A school family's short conversation through the portal with the demo key worker: a question answered last
    week, and this morning's message (before the school opened) still waiting for a reply on My week."""
    from django.contrib.auth import get_user_model

    from keyworker.accounts.access import actor_for
    from keyworker.people.carer_access import access_for
    from keyworker.standards.obligations import obligations_refresh

    from .messages import message_reply, message_send, next_opening
    from .models import PortalMessage

    today = today or clock.today()
    allocation = (KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True,
                                                     staff__user__email=MESSAGES_KEY_WORKER_EMAIL)
                  .select_related("family", "staff__user", "setting").order_by("family__name", "family_id").first())
    if allocation is None:
        return 0
    carer = (Carer.objects.filter(family_id=allocation.family_id, parental_responsibility=True,
                                  contact_restriction=ContactRestriction.NONE).exclude(email="").order_by("contact_order", "id").first())
    child = Child.objects.filter(family_id=allocation.family_id).order_by("date_of_birth", "id").first()
    if carer is None or child is None:
        return 0
    User = get_user_model()  # noqa: N806
    user = User.objects.filter(email=carer.email.lower()).first()
    if user is None:  # the carer has accepted an invitation to the portal
        user = User.objects.create_user(email=carer.email.lower(), full_name=carer.full_name, password=None)
        User.objects.filter(pk=user.pk).update(is_carer=True)
    Carer.objects.filter(pk=carer.pk).update(user=user)
    user.refresh_from_db()
    words = {"child": child.display_name, "them": "them", "they": "they", "their": "their"}
    tz = zoneinfo.ZoneInfo(allocation.setting.time_zone)
    actor = actor_for(allocation.staff.user, organisation.pk)
    previous = None
    for days_ago, hour, minute, from_family, text in THREAD:
        at = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)
        if from_family:
            m = message_send(access=access_for(user), family_id=allocation.family_id, body=text.format(**words))
        else:
            m = message_reply(actor=actor, family=allocation.family, carer=carer, body=text.format(**words), send_now=True)
        deliver = next_opening(allocation.setting, at) if from_family else at
        PortalMessage.objects.filter(pk=m.pk).update(
            sent_at=at, deliver_at=deliver, received_on=deliver.astimezone(tz).date(),
            read_at=(at + dt.timedelta(hours=4)) if not from_family else (None if days_ago == 0 else at + dt.timedelta(hours=3)),
            read_by=(user if not from_family else allocation.staff.user) if days_ago else None,
        )
        ContactLog.objects.filter(pk=m.contact_id).update(happened_on=at.astimezone(tz).date(), created_at=at)
        previous = m
    obligations_refresh(organisation_id=organisation.pk, family_ids={allocation.family_id}, as_of=today)
    return 1 if previous else 0
