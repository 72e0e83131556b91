"""A deterministic register for the demo school from the first day of the school year to today: mostly present,
short illnesses, appointments, lates, a class trip, a holiday in term time, a few persistent absentees, "N" marks
replaced by the office (a few still waiting), and an unexplained absence this morning for one of Louise Quinn's
children so that her My week shows an absence to challenge."""

import datetime as dt
import random
import zoneinfo

from django.db import transaction

from keyworker.accounts.models import GroupMembership, StaffMember, StaffRole
from keyworker.accounts.selectors import role_holders
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Child

from .escalation_services import concerns_evaluate
from .models import (
    AttendanceCode,
    AttendanceConcern,
    AttendanceMark,
    Category,
    ConcernAction,
    ConcernActionKind,
    ConcernStatus,
    MarkRevision,
)

LOUISE_QUINN = "louise.quinn@brookfieldpark.sch.uk"
# (share of children, chance a school day starts an illness, chance of a single-session appointment, of a late)
PROFILES = {
    "usual": (0.91, 0.008, 0.006, 0.015),
    "persistent": (0.06, 0.06, 0.02, 0.05),
    "severe": (0.03, 0.30, 0.02, 0.05),
}


def _profile(rng: random.Random) -> str:
    roll = rng.random()
    if roll < PROFILES["severe"][0]:
        return "severe"
    if roll < PROFILES["severe"][0] + PROFILES["persistent"][0]:
        return "persistent"
    return "usual"


def _louise_child(organisation: Organisation) -> Child | None:
    """A child of Louise Quinn's families (else of the first teaching assistant with allocations)."""
    staff = StaffMember.objects.filter(organisation=organisation, user__email=LOUISE_QUINN).first()
    if staff is None:
        ta = StaffRole.objects.filter(organisation=organisation, role__code="teaching_assistant").values("staff_id")
        first = KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True, staff_id__in=ta).order_by("id").first()
        staff = first.staff if first else None
    if staff is None:
        return None
    families = KeyWorkerAllocation.objects.filter(organisation=organisation, staff=staff, ends_at__isnull=True).values("family_id")
    return Child.objects.filter(organisation=organisation, family_id__in=families, left_on__isnull=True).order_by(
        "legal_last_name", "legal_first_name", "id").first()


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Write the register for each school setting of the organisation; returns the number of marks."""
    from keyworker.standards import engine

    total = 0
    for setting in Setting.objects.filter(organisation=organisation, kind="school").order_by("id"):
        total += _setting_history(organisation, setting, today or clock.today(setting.time_zone), seed)
    if total:
        engine.recompute(organisation_id=organisation.pk, as_of=today or clock.today(), rebuild=True)
        demo_concerns(organisation=organisation, today=today or clock.today(), seed=seed)
        _settle_past_notices(organisation)
    return total


def _settle_past_notices(organisation: Organisation) -> None:
    """The concern notices of past weeks were read and e-mailed in their week: the first worker cycle does not send
    them again today, and the deputy head's inbox holds only today's as unread."""
    from django.db.models import F

    from keyworker.notifications.models import Delivery, DeliveryStatus, Notification

    from .escalation import NOTIFICATION_KIND

    past = Notification.objects.filter(organisation_id=organisation.pk, kind=NOTIFICATION_KIND,
                                       created_at__lt=clock.start_of_day(clock.today()))
    Delivery.objects.filter(notification__in=past, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT, sent_at=F("created_at"), claimed_by="demo-worker", claimed_at=F("created_at"))
    past.filter(read_at__isnull=True).update(read_at=F("created_at"))


def _setting_history(organisation: Organisation, setting: Setting, today: dt.date, seed: int) -> int:
    calendar = TermCalendar.for_setting(setting)
    start = calendar.school_year_start(today)
    if start is None:
        return 0
    days = calendar.school_days_between(start, today)
    if not days:
        return 0
    codes = {c.code: c for c in AttendanceCode.objects.filter(jurisdiction=setting.jurisdiction)}
    if "/" not in codes:
        return 0
    local_now = clock.now().astimezone(zoneinfo.ZoneInfo(setting.time_zone))
    afternoon_done = (local_now.hour, local_now.minute) >= (13, 30)
    morning_done = (local_now.hour, local_now.minute) >= (9, 10)  # before the register, today has no marks yet
    teachers: dict[int, int] = {}
    for gm in GroupMembership.objects.filter(organisation=organisation, staff__staff_roles__role__code="teacher").values(
        "group_id", "staff__user_id"
    ):
        teachers.setdefault(gm["group_id"], gm["staff__user_id"])
    office = StaffMember.objects.filter(organisation=organisation, staff_roles__role__code="admin_office").values_list(
        "user_id", flat=True).first()
    children = list(Child.objects.filter(organisation=organisation, setting=setting).order_by("legal_last_name", "legal_first_name", "id"))
    zone = zoneinfo.ZoneInfo(setting.time_zone)
    # A class trip for one class, and a holiday in term time for one child: fixed days of the year.
    trip_day = days[min(len(days) - 1, 23)]
    trip_group = children[0].group_id if children else None
    marks: list[AttendanceMark] = []
    replaced: list[tuple[AttendanceMark, str, dt.date]] = []   # (mark, first code, replaced on)
    for n, child in enumerate(children):
        rng = random.Random(f"attendance-{seed}-{setting.name}-{n}")  # per child: the past does not depend on today
        profile = PROFILES[_profile(rng)]
        holiday_from = rng.randrange(len(days)) if rng.random() < 0.03 else None
        ill_left = 0
        recorder = teachers.get(child.group_id)
        for i, day in enumerate(days):
            if day < child.enrolled_on or (child.left_on and day > child.left_on):
                continue
            am, pm = "/", "\\"
            if holiday_from is not None and holiday_from <= i < holiday_from + 5:
                am = pm = "G"
            elif ill_left > 0:
                am = pm = "I"
                ill_left -= 1
            elif rng.random() < profile[1]:
                ill_left = rng.choice([0, 0, 1, 1, 2, 4])
                am = pm = "I"
            elif rng.random() < profile[2]:
                am = "M" if rng.random() < 0.5 else am
                pm = "M" if am != "M" else pm
            elif rng.random() < profile[3]:
                am = "L" if rng.random() < 0.85 else "U"
            if day == trip_day and child.group_id == trip_group and am == "/":
                am, pm = "V", "V"
            for session, code in (("AM", am), ("PM", pm)):
                if day == today and not (afternoon_done if session == "PM" else morning_done):
                    continue
                at = dt.datetime.combine(day, dt.time(9, 5) if session == "AM" else dt.time(13, 20), tzinfo=zone)
                mark = AttendanceMark(
                    organisation=organisation, child=child, setting=setting, date=day, session=session, code=codes[code],
                    recorded_by_id=recorder, recorded_at=at,
                )
                # Illness first recorded as "N" until a carer phones; most replaced the next school day.
                if code == "I" and session == "AM" and rng.random() < 0.35:
                    later = days[min(i + rng.choice([1, 1, 2]), len(days) - 1)]
                    if later <= today and later != day:
                        replaced.append((mark, "N", later))
                    else:
                        mark.code = codes["N"]
                marks.append(mark)
    # A few "N" still waiting for the office: two overdue, and the rest recent.
    waiting = [m for m in marks if m.code.code == "I" and m.session == "AM" and m.date < days[max(0, len(days) - 8)]]
    by_child: dict[int, AttendanceMark] = {m.child_id: m for m in waiting}   # each child's latest
    for m in list(by_child.values())[-2:]:
        m.code = codes["N"]
        replaced[:] = [r for r in replaced if r[0] is not m]
    # One unexplained absence this morning for a child of Louise Quinn's.
    child = _louise_child(organisation)
    if child is not None and days[-1] == today:
        for m in marks:
            if m.child_id == child.pk and m.date == today:
                m.code = codes["N"] if m.session == "AM" else codes["\\"]
                replaced[:] = [r for r in replaced if r[0] is not m]
    AttendanceMark.objects.bulk_create(marks, batch_size=2000)
    revisions = [
        MarkRevision(
            organisation=organisation, mark=mark, previous_code=codes[first], new_code=mark.code, previous_recorded_by_id=mark.recorded_by_id,
            previous_recorded_at=mark.recorded_at, changed_by_id=office,
            changed_at=min(dt.datetime.combine(on, dt.time(9, 40), tzinfo=zone), clock.now()),
            reason="Parent phoned the office" if mark.code.category == Category.AUTHORISED else "Reason confirmed",
        )
        for mark, first, on in replaced
    ]
    MarkRevision.objects.bulk_create(revisions, batch_size=2000)
    return len(marks)


# Attendance concerns ----------------------------------------------------------------------------------------

DEMO_ACTIONS = {
    1: ["Phoned the family: a run of coughs and colds, expects to be back tomorrow",
        "Spoke to dad at the gate about the Monday absences; he will ring the office on any day off"],
    2: ["Letter sent home about attendance with the child's figures this year",
        "Meeting with the parents and the deputy head: agreed an attendance plan, review in four weeks",
        "Checked in with the family: attendance this fortnight 100%"],
    3: ["Home visit with the family support worker",
        "Attendance meeting with the headteacher and deputy head: referral to the local authority's attendance team discussed",
        "Early help assessment started with the family's agreement"],
}


@transaction.atomic
def demo_concerns(*, organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Evaluate the demo school's register every Friday of the school year so far (so concerns open and rise over
    the weeks, as the worker would have done), then log the deputy head's and key workers' actions on them."""
    today = today or clock.today()
    setting = Setting.objects.filter(organisation=organisation, kind="school").order_by("id").first()
    if setting is None:
        return 0
    calendar = TermCalendar.for_setting(setting)
    start = calendar.school_year_start(today)
    if start is None:
        return 0
    fridays = [d for d in calendar.school_days_between(start + dt.timedelta(days=21), today) if d.weekday() == 4]
    for day in [*fridays, today] if (not fridays or fridays[-1] != today) else fridays:
        concerns_evaluate(organisation_id=organisation.pk, as_of=day,
                          now=min(dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC), clock.now()))
    deputies = role_holders(organisation.pk, codes=["deputy_headteacher"])
    deputy = min((r.staff for r in deputies), key=lambda staff: staff.pk, default=None)
    concerns = list(AttendanceConcern.objects.filter(organisation=organisation, status=ConcernStatus.OPEN)
                    .select_related("child").order_by("child__legal_last_name", "child__legal_first_name", "id"))
    key_workers = {
        a.family_id: a.staff.user for a in KeyWorkerAllocation.objects.filter(
            organisation=organisation, ends_at__isnull=True).select_related("staff__user")
    }
    actions = []
    for n, concern in enumerate(concerns):
        rng = random.Random(f"attendance-concern-{seed}-{n}")
        tier = min(concern.tier_order, 3)
        who = deputy.user if (tier >= 2 and deputy is not None) else key_workers.get(concern.child.family_id)
        day = concern.opened_on
        for text in DEMO_ACTIONS[tier][: rng.choice([1, 2, 2, 3])]:
            day = calendar.add_school_days(day, rng.choice([1, 2, 3]))
            if day > today:
                break
            follow = calendar.add_school_days(day, 10)
            actions.append(ConcernAction(
                organisation=organisation, concern=concern, kind=ConcernActionKind.ACTION, happened_on=day,
                recorded_at=min(dt.datetime.combine(day, dt.time(15, 30), tzinfo=dt.UTC), clock.now()), recorded_by=who, text=text,
                follow_up_on=follow, tier_order=concern.tier_order,
            ))
            concern.follow_up_by = follow
    ConcernAction.objects.bulk_create(actions)
    AttendanceConcern.objects.bulk_update(concerns, ["follow_up_by"])
    return len(concerns)
