"""Childcare settings inside the test world: a nursery and an out of school club, each with a manager, an assistant
manager and a key person, and a child who started on Monday 16 November 2026 (the fixed clock is Wednesday 18)."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Group, Setting, SettingKind
from keyworker.people.models import Child, Family
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import (
    add_calendar,
    allocate,
    make_child,
    make_family,
    make_group,
    make_setting,
    make_staff,
)

TODAY = dt.date(2026, 11, 18)
MONDAY = dt.date(2026, 11, 16)


@dataclass
class Care:
    nursery: Setting
    room: Group
    manager: StaffMember
    assistant: StaffMember
    key_person: StaffMember
    other_room_staff: StaffMember  # a practitioner of another room: does not see the child
    family: Family
    child: Child
    club: Setting
    club_room: Group
    club_manager: StaffMember
    club_staff: StaffMember
    club_family: Family
    club_child: Child


def make_care(world, *, adopt: bool = False) -> Care:
    nursery = make_setting(world.org, SettingKind.EARLY_YEARS, name="Little Acorns")
    add_calendar(nursery)
    room, other_room = make_group(nursery, "Ladybirds", "2–3 years"), make_group(nursery, "Bees", "3–5 years")
    manager = make_staff(world.org, nursery, ["manager"], name="Mia Manager")
    assistant = make_staff(world.org, nursery, ["assistant_manager"], name="Asa Assistant")
    key_person = make_staff(world.org, nursery, ["practitioner"], [room], name="Kai Keyperson")
    other_room_staff = make_staff(world.org, nursery, ["practitioner"], [other_room], name="Olu Otherroom")
    family = make_family(world.org, "The Evans family")
    child = make_child(family, nursery, room, legal_first_name="Eli", legal_last_name="Evans",
                       date_of_birth=dt.date(2024, 3, 1), enrolled_on=MONDAY)
    allocate(family, nursery, key_person)
    club = make_setting(world.org, SettingKind.OUT_OF_SCHOOL_CARE, name="Owls Club")
    add_calendar(club)
    club_room = make_group(club, "P1–P3 Club", "5–8 years")
    club_manager = make_staff(world.org, club, ["manager"], name="Cal Clubmanager")
    club_staff = make_staff(world.org, club, ["practitioner"], [club_room], name="Pat Playworker")
    club_family = make_family(world.org, "The Fox family")
    club_child = make_child(club_family, club, club_room, legal_first_name="Finn", legal_last_name="Fox",
                            date_of_birth=dt.date(2019, 5, 1), enrolled_on=dt.date(2026, 9, 2))
    allocate(club_family, club, club_staff)
    if adopt:
        policy_adopt_builtin(organisation=world.org, template_code="childcare_key_contact", as_of=TODAY,
                             effective_from=dt.date(2026, 9, 2))
    return Care(nursery, room, manager, assistant, key_person, other_room_staff, family, child, club, club_room,
                club_manager, club_staff, club_family, club_child)
