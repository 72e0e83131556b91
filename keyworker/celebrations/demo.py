"""Demo celebrations for the demo school: Star of the week each week per class, Well Done postcards, Dojo Points,
achievements and attendance milestones over this school year's half terms, most shared with the family (each shared
one with its celebration contact). One of the demo key worker's families then has three concern contacts in a row,
so My week flags it. Deterministic: a fixed seed, dates as offsets from today.
"""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict

from django.db import transaction
from django.db.models import Max

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.contacts.models import ContactLog, Direction, Tone
from keyworker.contacts.services import contact_record, word_count
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import HalfTerm, Organisation, Setting
from keyworker.people.models import Child

from .models import SHARED_CHANNEL, Celebration, CelebrationKind, SharedHow
from .services import contact_write_up

KEY_WORKER_EMAIL = "louise.quinn@brookfieldpark.sch.uk"
TITLES = {
    CelebrationKind.STAR_OF_THE_WEEK: ["Kind to everyone all week", "Helped a new friend settle in", "Brilliant listening on the carpet",
                                       "Tried hard in every lesson", "Looked after the class garden"],
    CelebrationKind.WELL_DONE_POSTCARD: ["Read a whole page aloud to the class", "Beautiful handwriting in English",
                                         "Counted to 100 without help", "Tidied up without being asked", "Used calm words when upset",
                                         "Finished a piece of writing independently"],
    CelebrationKind.DOJO_POINTS: ["Great focus in maths", "Good sitting and listening", "Super teamwork in PE", "Sharing with others",
                                  "Working hard at phonics"],
    CelebrationKind.ACHIEVEMENT: ["Swam 10 metres", "Learned all the number bonds to 10", "Reading book band moved up",
                                  "Performed in the class assembly", "Dressed independently after PE"],
    CelebrationKind.ATTENDANCE_MILESTONE: ["100% attendance this half term", "On time every day for a month",
                                           "Attendance up to 96% this half term"],
}
NOTES = ["", "", "", "The class gave a big round of applause.", "Mum said she would put it on the fridge.",
         "A real step forward after a tricky start to the term."]
CONCERNS = [
    "{carer} says {child} has been upset at bedtime and reluctant to come to school; agreed to check in each morning.",
    "{child} had a difficult afternoon and hurt another child at play; talked it through with {carer} on the phone.",
    "{carer} is worried that {child} is not eating lunch; we will watch lunchtime this week and let her know.",
]


def _school_days(calendar: TermCalendar, half_term: HalfTerm, today: dt.date) -> list[dt.date]:
    return calendar.school_days_between(half_term.starts_on, min(half_term.ends_on, today))


def _shared(kind: str, rng: random.Random) -> str:
    if kind == CelebrationKind.WELL_DONE_POSTCARD:
        return SharedHow.POSTCARD_HOME
    if kind == CelebrationKind.DOJO_POINTS:
        return SharedHow.MESSAGING_APP
    return rng.choice([SharedHow.FACE_TO_FACE, SharedHow.MESSAGING_APP, SharedHow.PHONE, SharedHow.FACE_TO_FACE, SharedHow.EMAIL])


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 1107) -> int:
    """Write the celebrations (and their contacts), flag one of the demo key worker's families, recompute obligations."""
    from keyworker.standards import engine

    today = today or clock.today()
    rng = random.Random(seed)
    allocations = list(KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True).order_by("family_id", "setting_id"))
    key_worker = {(a.family_id, a.setting_id): a.staff_id for a in allocations}
    children = list(Child.objects.filter(organisation=organisation, left_on__isnull=True, group__isnull=False).order_by("group_id", "id"))
    by_group: dict[int, list[Child]] = defaultdict(list)
    for child in children:
        by_group[child.group_id].append(child)
    settings = {s.pk: s for s in Setting.objects.filter(organisation=organisation, pk__in={c.setting_id for c in children})}
    calendars = {pk: TermCalendar.for_setting(s) for pk, s in settings.items()}
    year_start = dt.date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    half_terms: dict[int, list[HalfTerm]] = defaultdict(list)
    for ht in HalfTerm.objects.filter(setting_id__in=settings, starts_on__gte=year_start, starts_on__lte=today).order_by("starts_on"):
        half_terms[ht.setting_id].append(ht)

    planned: list[tuple[Child, str, dt.date, int]] = []  # (child, kind, day, recorder)

    def plan(child: Child, kind: str, day: dt.date) -> None:
        staff_id = key_worker.get((child.family_id, child.setting_id))
        if staff_id is not None and day <= today:
            planned.append((child, kind, day, staff_id))

    for _group, kids in sorted(by_group.items()):
        setting_id = kids[0].setting_id
        calendar = calendars[setting_id]
        for ht in half_terms[setting_id]:
            days = _school_days(calendar, ht, today)
            if not days:
                continue
            current = ht.ends_on >= today
            # Star of the week: one child per class each Friday (or the week's last school day), in turn.
            order = kids[:]
            rng.shuffle(order)
            weeks: dict[tuple[int, int], dt.date] = {}
            for day in days:
                weeks[day.isocalendar()[:2]] = day
            for i, (_, last_day) in enumerate(sorted(weeks.items())):
                if last_day < today or last_day.weekday() == 4:
                    plan(order[i % len(order)], CelebrationKind.STAR_OF_THE_WEEK, last_day)
            for child in kids:
                # Fewer so far in the half term under way, so some families still owe this half term's celebration.
                scale = 0.5 if current else 1.0
                if rng.random() < 0.6 * scale:
                    plan(child, CelebrationKind.WELL_DONE_POSTCARD, rng.choice(days))
                for _ in range(rng.choice([0, 1, 1, 2]) if rng.random() < scale + 0.2 else 0):
                    plan(child, CelebrationKind.DOJO_POINTS, rng.choice(days))
                if rng.random() < 0.2 * scale:
                    plan(child, CelebrationKind.ACHIEVEMENT, rng.choice(days))
                if not current and rng.random() < 0.25:
                    plan(child, CelebrationKind.ATTENDANCE_MILESTONE, days[-1])

    rows: list[Celebration] = []
    contacts: list[ContactLog | None] = []
    for child, kind, day, staff_id in planned:
        setting = settings[child.setting_id]
        zone = zoneinfo.ZoneInfo(setting.time_zone or "Europe/London")
        at = dt.datetime.combine(day, dt.time(14, 30), tzinfo=zone) + dt.timedelta(minutes=rng.randint(0, 90))
        at = min(at, clock.now() - dt.timedelta(minutes=30))  # today's, if the day is not over, were just recorded
        points = rng.choice([1, 2, 3, 5, 5, 10]) if kind == CelebrationKind.DOJO_POINTS else None
        celebration = Celebration(
            organisation=organisation, child=child, family_id=child.family_id, setting=setting, kind=kind,
            title=rng.choice(TITLES[kind]), note=rng.choice(NOTES), points=points, celebrated_on=day, recorded_by_id=staff_id,
            created_at=at,
        )
        contact = None
        if rng.random() < 0.8:
            how = _shared(kind, rng)
            shared_on = day
            if rng.choice([0, 0, 0, 1]):  # shared on the next school day (a Friday's on the Monday), if it has come
                shared_on = calendars[setting.pk].add_school_days(day, 1)
            shared_on = shared_on if shared_on <= today else day
            shared_at = at + dt.timedelta(minutes=30) if shared_on == day else min(
                dt.datetime.combine(shared_on, dt.time(8, 50), tzinfo=zone), clock.now())
            celebration.shared_on, celebration.shared_how, celebration.shared_by_id = shared_on, how, staff_id
            write_up = contact_write_up(celebration, how)
            contact = ContactLog(
                organisation=organisation, family_id=child.family_id, setting=setting, author_id=staff_id, happened_on=shared_on,
                channel=SHARED_CHANNEL[how], direction=Direction.FROM_SCHOOL, tone=Tone.CELEBRATION, write_up=write_up,
                word_count=word_count(write_up), used_preferred_method=True, created_at=shared_at,
            )
        rows.append(celebration)
        contacts.append(contact)
    ContactLog.objects.bulk_create([c for c in contacts if c is not None], batch_size=1000)
    for celebration, contact in zip(rows, contacts, strict=True):
        celebration.contact = contact
    Celebration.objects.bulk_create(rows, batch_size=1000)
    through = ContactLog.children.through
    through.objects.bulk_create([through(contactlog_id=c.pk, child_id=r.child_id) for r, c in zip(rows, contacts, strict=True) if c],
                                batch_size=2000)
    _three_concerns(organisation, today)
    engine.recompute(organisation_id=organisation.pk, as_of=today, rebuild=True)
    return len(rows)


def _three_concerns(organisation: Organisation, today: dt.date) -> None:
    """Three concern contacts in a row for one of the demo key worker's families, recorded through the contacts service."""
    staff = StaffMember.objects.filter(organisation=organisation, user__email=KEY_WORKER_EMAIL).select_related("user").first()
    if staff is None:
        return
    family_ids = list(KeyWorkerAllocation.objects.filter(staff=staff, ends_at__isnull=True).order_by("family_id").values_list("family_id", flat=True))
    if not family_ids:
        return
    latest = dict(ContactLog.objects.filter(family_id__in=family_ids).order_by().values("family_id").annotate(last=Max("happened_on"))
                  .values_list("family_id", "last"))
    # The family whose last contact is longest ago, so the three concerns are its most recent contacts.
    family_id = min(family_ids, key=lambda f: (latest.get(f) or dt.date.min, f))
    after = latest.get(family_id)
    child = Child.objects.filter(family_id=family_id, left_on__isnull=True).select_related("family").order_by("date_of_birth", "id").first()
    if child is None:
        return
    carer = child.family.carers.exclude(contact_restriction="no_contact").order_by("contact_order", "id").first()
    first = max(today - dt.timedelta(days=9), after + dt.timedelta(days=1)) if after else today - dt.timedelta(days=9)
    first = min(first, today)
    open_days = TermCalendar.for_setting(child.setting).school_days_between(first, today) or [first]
    days = [open_days[0], open_days[len(open_days) // 2], open_days[-1]]  # on days the school is open
    actor = actor_for(staff.user, organisation.pk)
    words = {"carer": carer.first_name if carer else "Mum", "child": child.preferred_name or child.legal_first_name}
    for day, text in zip(days, CONCERNS, strict=True):
        contact_record(actor=actor, family=child.family, happened_on=day, channel="phone", tone=Tone.CONCERN,
                       write_up=text.format(**words), carer=carer, children=[child], setting=child.setting,
                       follow_up="Check in again at the end of the week.", follow_up_on=min(day + dt.timedelta(days=3), today + dt.timedelta(days=3)))
