"""A deterministic register for the demo school from the first day of the school year to today: mostly present,
short illnesses, appointments, lates, a class trip, a holiday in term time, a few persistent absentees, "N" marks
replaced by the office (a few still waiting), and an unexplained absence this morning for one of Louise Quinn's
children so that her My week shows an absence to challenge."""

import datetime as dt
import random
import zoneinfo

from django.db import transaction

from keyworker.accounts.models import GroupMembership, StaffMember, StaffRole
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Child

from .models import AttendanceCode, AttendanceMark, Category, MarkRevision

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
        from .escalation import demo_concerns

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
                if day == today and session == "PM" and not afternoon_done:
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
            changed_at=dt.datetime.combine(on, dt.time(9, 40), tzinfo=zone),
            reason="Parent phoned the office" if mark.code.category == Category.AUTHORISED else "Reason confirmed",
        )
        for mark, first, on in replaced
    ]
    MarkRevision.objects.bulk_create(revisions, batch_size=2000)
    return len(marks)
