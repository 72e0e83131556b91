"""The manager's monitoring in the test world: a nursery with two rooms' children, its manager, key people, and two
fake monitoring sources (journals and care plans) registered for the length of a test."""

import datetime as dt
from dataclasses import dataclass

import pytest

from keyworker.accounts.models import StaffMember
from keyworker.care.monitoring_sources import (
    MonitoredRecord,
    MonitoringSource,
    register_monitoring_source,
    unregister_monitoring_source,
)
from keyworker.organisations.models import Group, Setting, SettingKind
from keyworker.people.models import Child
from keyworker.testing import (
    add_calendar,
    allocate,
    make_child,
    make_family,
    make_group,
    make_setting,
    make_staff,
)

AS_OF = dt.date(2026, 11, 18)


def _journal_records(setting: Setting, as_of: dt.date) -> dict[int, MonitoredRecord]:
    """Up to date for every other child, by age order of their records (ids differ between databases); one query."""
    out = {}
    for i, pk in enumerate(Child.objects.filter(setting=setting).order_by("id").values_list("id", flat=True)):
        fresh = i % 2 == 1
        out[pk] = MonitoredRecord(pk, "journal", as_of - dt.timedelta(days=3 if fresh else 19), None,
                                  as_of + dt.timedelta(days=11 if fresh else -5), fresh,
                                  "Observed 3 days ago" if fresh else "No observation for 19 days", f"/journals/{pk}/")
    return out


def _plan_records(setting: Setting, as_of: dt.date) -> dict[int, MonitoredRecord]:
    """Every plan up to date; one query."""
    return {pk: MonitoredRecord(pk, "care_plan", as_of - dt.timedelta(days=30), as_of - dt.timedelta(days=30),
                                as_of + dt.timedelta(days=60), True, "Reviewed 30 days ago", f"/plans/{pk}/")
            for pk in Child.objects.filter(setting=setting).values_list("id", flat=True)}


JOURNALS = MonitoringSource("journal", "Learning journal", ("early_years",), _journal_records)
PLANS = MonitoringSource("care_plan", "Personal care plan", ("early_years", "out_of_school_care", "youth"), _plan_records)


@pytest.fixture(name="sources")
def sources_fixture():
    from keyworker.care.monitoring_sources import monitoring_sources

    real = monitoring_sources()  # the apps' own sources, put back afterwards
    register_monitoring_source(JOURNALS)
    register_monitoring_source(PLANS)
    yield [JOURNALS, PLANS]
    unregister_monitoring_source("journal")
    unregister_monitoring_source("care_plan")
    for source in real:
        register_monitoring_source(source)


@dataclass
class Nursery:
    setting: Setting
    room: Group
    manager: StaffMember
    assistant: StaffMember
    key_person: StaffMember
    other_key_person: StaffMember
    practitioner: StaffMember  # no key children, not a leader
    children: list[Child]


def make_nursery(world, n: int = 4) -> Nursery:
    setting = make_setting(world.org, SettingKind.EARLY_YEARS, name="Little Acorns")
    add_calendar(setting)
    room = make_group(setting, "Ladybirds", "Pre-school")
    manager = make_staff(world.org, setting, ["manager"], name="Mia Manager")
    assistant = make_staff(world.org, setting, ["assistant_manager"], name="Ava Assistant")
    key_person = make_staff(world.org, setting, ["practitioner"], [room], name="Kai Keyperson")
    other = make_staff(world.org, setting, ["practitioner"], [room], name="Oli Other")
    practitioner = make_staff(world.org, setting, ["practitioner"], [room], name="Pat Practitioner")
    nursery = Nursery(setting, room, manager, assistant, key_person, other, practitioner, [])
    grow(nursery, world, n)
    return nursery


def grow(nursery: Nursery, world, n: int) -> None:
    for i in range(n):
        family = make_family(world.org)
        nursery.children.append(make_child(family, nursery.setting, nursery.room, date_of_birth=dt.date(2022, 5, 1),
                                           enrolled_on=dt.date(2026, 9, 1)))
        allocate(family, nursery.setting, nursery.key_person if i % 2 == 0 else nursery.other_key_person)


@pytest.fixture(name="no_sources")
def no_sources_fixture():
    """No monitoring source at all (the apps' own are put back afterwards)."""
    from keyworker.care.monitoring_sources import monitoring_sources

    real = monitoring_sources()
    for source in real:
        unregister_monitoring_source(source.kind)
    yield
    for source in real:
        register_monitoring_source(source)
