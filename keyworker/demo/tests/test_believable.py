"""The demo is believable: nothing in it could not have happened in a real school or childcare group."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from keyworker.accounts.models import GroupMembership, StaffMember, StaffRole, User
from keyworker.attendance.models import AttendanceMark
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.celebrations.models import Celebration
from keyworker.contacts.models import ContactLog
from keyworker.core import clock
from keyworker.demo import builder
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Group, Setting
from keyworker.people.models import Child

pytestmark = pytest.mark.django_db

# Fields that look ahead by nature (what is due, when to try again, when a term or a token ends).
FORWARD = {
    "due_on", "period_end", "follow_up_on", "follow_up_by", "follow_up_due_on", "decision_due_on", "review_on",
    "next_attempt_at", "expires_at", "ends_on", "starts_on", "effective_from",
    "starts_at", "ends_at",  # appointments to come (a key worker allocation starting later is checked on its own)
}
# Fields of records that are planned ahead (an appointment, a parents' evening and its slots), by model.
FORWARD_OF = {
    "meetings.Appointment": {"starts_at", "ends_at"},
    "meetings.ParentsEvening": {"starts_at", "ends_at", "break_starts_at", "break_ends_at", "booking_closes_at"},
    "meetings.EveningSlot": {"starts_at", "ends_at"},
    "meetings.AnnualReview": {"due_by"},  # the next annual review, due within 12 months of the last
    "standards.Obligation": {"period_start"},  # a step before an event to come (review invitations 2 weeks before)
    "targets.TargetReview": {"next_review_on"},  # the review after this one, planned at this one
}
CLASS_ROLES = ["teacher", "teaching_assistant", "practitioner", "lead_practitioner"]


@pytest.fixture(scope="module")
def demo(django_db_blocker, django_db_setup):
    """Built once for the module (in a transaction rolled back at its end), at the suite's fixed time."""
    from conftest import built_once

    with built_once(django_db_blocker, builder.build) as built:
        yield built


@pytest.fixture
def now(demo, clock):
    return clock


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_no_child_is_born_in_the_future_or_after_their_enrolment(now):
    today = clock.today()
    assert Child.objects.count() > 150
    assert not Child.objects.filter(Q(date_of_birth__gt=today) | Q(date_of_birth__gte=F("enrolled_on")) | Q(enrolled_on__gt=today)).exists()
    assert not Child.objects.filter(left_on__lt=F("enrolled_on")).exists()


def test_school_pupils_are_the_age_of_their_year_group_on_1_september(now):
    school = Setting.objects.get(organisation__slug=builder.SCHOOL_SLUG)
    start = TermCalendar.for_setting(school).school_year_start(clock.today())
    first_september = dt.date(start.year, 9, 1)
    pupils = Child.objects.filter(setting=school)
    assert not pupils.filter(year_group="").exists()
    fits = Q()
    for year, age in builder.YEAR_AGE.items():
        # Aged `age` on 1 September: born from 1 September (age + 1) years before to 31 August `age` years before.
        fits |= Q(year_group=year, date_of_birth__gt=dt.date(first_september.year - age - 1, 8, 31),
                  date_of_birth__lte=dt.date(first_september.year - age, 8, 31))
    assert list(pupils.exclude(fits).values_list("legal_first_name", "year_group", "date_of_birth")) == []
    # A pupil's year group is one their class teaches (mixed classes teach two).
    for group in Group.objects.filter(setting=school):
        years = {y.strip() for y in group.year_group.replace("Years ", "Year ").split("–")}
        if len(years) == 2:
            low, high = sorted(int(y.removeprefix("Year ")) for y in years)
            years = {f"Year {n}" for n in range(low, high + 1)}
        assert set(pupils.filter(group=group).values_list("year_group", flat=True)) <= years, group.name


def test_children_in_childcare_are_the_age_of_their_room(now):
    today = clock.today()
    rooms = Group.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert rooms.count() == 7
    for room in rooms:
        low, high = (int(n) for n in room.year_group.removesuffix(" years").split("–"))
        wrong = room.children.exclude(date_of_birth__lte=today.replace(year=today.year - low),
                                      date_of_birth__gt=today.replace(year=today.year - high))
        assert list(wrong.values_list("legal_first_name", "date_of_birth")) == [], room.name
    # Babies start nursery a few months old at the earliest.
    assert all(_age_on(born, enrolled) >= 0 and (enrolled - born).days >= 90
               for born, enrolled in Child.objects.values_list("date_of_birth", "enrolled_on"))


def test_key_workers_are_allocated_before_the_first_contact_and_not_before_enrolment(now):
    allocations = KeyWorkerAllocation.objects.all()
    assert allocations.count() > 100
    assert not allocations.filter(starts_at__gt=clock.now()).exists()
    # Every contact falls inside an allocation of its family in its setting.
    allocated_then = KeyWorkerAllocation.objects.filter(
        family=OuterRef("family"), setting=OuterRef("setting"), starts_at__date__lte=OuterRef("happened_on"))
    contacts = ContactLog.objects.filter(setting__organisation__slug=builder.SCHOOL_SLUG)
    assert contacts.count() > 500
    assert not contacts.filter(~Exists(allocated_then)).exists()
    # Key workers were allocated from the start of the school year, when the contacts begin.
    school = Setting.objects.get(organisation__slug=builder.SCHOOL_SLUG)
    start = TermCalendar.for_setting(school).school_year_start(clock.today())
    assert not allocations.filter(setting=school, starts_at__date__gt=start).exists()
    assert contacts.order_by("happened_on").values_list("happened_on", flat=True).first() >= start
    # No family has a key worker before any of its children was enrolled in the setting.
    enrolled = Child.objects.filter(family=OuterRef("family"), setting=OuterRef("setting"), enrolled_on__lte=OuterRef("starts_at__date"))
    assert not allocations.filter(~Exists(enrolled)).exists()


def test_nothing_that_happened_is_dated_in_the_future(now):
    at, today = clock.now(), clock.today()
    future = []
    for model in apps.get_models():
        if not model.__module__.startswith("keyworker"):
            continue
        for f in model._meta.concrete_fields:
            if f.name in FORWARD or f.name in FORWARD_OF.get(model._meta.label, ()):
                continue
            if isinstance(f, models.DateTimeField) and model.objects.filter(**{f"{f.name}__gt": at}).exists():
                future.append(f"{model._meta.label}.{f.name}")
            elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField) and model.objects.filter(**{f"{f.name}__gt": today}).exists():
                future.append(f"{model._meta.label}.{f.name}")
    assert future == []


def test_people_were_in_the_system_before_what_they_did(now):
    school = Setting.objects.get(organisation__slug=builder.SCHOOL_SLUG)
    start = TermCalendar.for_setting(school).school_year_start(clock.today())
    assert not User.objects.filter(date_joined__date__gt=start).exists()
    assert not StaffMember.objects.filter(created_at__date__gt=start).exists()
    assert not Child.objects.filter(created_at__date__gt=start).exists()


def test_contacts_celebrations_and_marks_fall_on_days_the_setting_is_open(now):
    today = clock.today()
    for setting in Setting.objects.filter(organisation__slug__in=[builder.SCHOOL_SLUG, builder.GROUP_SLUG]):
        calendar = TermCalendar.for_setting(setting)
        start = calendar.school_year_start(today)
        closed = [start + dt.timedelta(days=n) for n in range((today - start).days + 1)
                  if not calendar.is_school_day(start + dt.timedelta(days=n))]
        assert not ContactLog.objects.filter(setting=setting, happened_on__in=closed).exists(), setting.name
        assert not ContactLog.objects.filter(setting=setting, happened_on__lt=start).exists(), setting.name
        assert not Celebration.objects.filter(child__setting=setting, celebrated_on__in=closed).exists(), setting.name
        assert not AttendanceMark.objects.filter(child__setting=setting, date__in=closed).exists(), setting.name


def test_nothing_happens_to_a_child_after_they_left(now):
    assert not ContactLog.objects.filter(children__left_on__lt=F("happened_on")).exists()
    assert not AttendanceMark.objects.filter(child__left_on__lt=F("date")).exists()
    assert not Celebration.objects.filter(child__left_on__lt=F("celebrated_on")).exists()


def test_staff_who_teach_or_look_after_a_class_have_one_in_their_setting(now):
    in_class = GroupMembership.objects.filter(staff=OuterRef("staff"), group__setting=OuterRef("setting"))
    class_roles = StaffRole.objects.filter(role__code__in=CLASS_ROLES)
    assert class_roles.count() > 30
    assert not class_roles.filter(~Exists(in_class)).exists()
    # Every setting with staff has classes, and nobody is in a class of a setting they hold no role in.
    assert not Setting.objects.filter(staff_roles__isnull=False, groups__isnull=True).exists()
    role_there = StaffRole.objects.filter(staff=OuterRef("staff"), setting=OuterRef("group__setting"))
    assert not GroupMembership.objects.filter(~Exists(role_there)).exists()
