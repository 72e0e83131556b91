"""Childcare settings inside the test world for the care plan tests: a Scottish out of school club and an English
nursery, each with a manager, a key contact, another member of staff and a family whose child is on roll."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Group, Jurisdiction, Setting, SettingKind
from keyworker.people.models import Carer, Child, Family
from keyworker.testing import (
    add_calendar,
    allocate,
    carer_account,
    make_child,
    make_family,
    make_group,
    make_setting,
    make_staff,
)

SECTIONS = {
    "health": "Asthma: blue inhaler in the red bag", "routines": "Snack at 4", "what_matters": "Her dog Biscuit",
    "how_to_support": "A quiet word, not in front of others", "interests": "Football",
    "child_words": "I like the den", "family_words": "She is shy at first",
}


@dataclass
class Club:
    setting: Setting
    room: Group
    manager: StaffMember
    key_contact: StaffMember
    other_staff: StaffMember   # another practitioner of the setting, in another room
    family: Family
    child: Child
    carer: Carer               # parental responsibility
    no_pr: Carer               # without parental responsibility: limited access


def make_club(world, *, kind=SettingKind.OUT_OF_SCHOOL_CARE, jurisdiction=Jurisdiction.SCOTLAND, name="Thistle Club",
              enrolled_on=dt.date(2026, 9, 2)) -> Club:
    setting = make_setting(world.org, kind, name=name, jurisdiction=jurisdiction)
    add_calendar(setting)
    room, other_room = make_group(setting, "P1–P3", "5–8 years"), make_group(setting, "P4–P7", "8–12 years")
    manager = make_staff(world.org, setting, ["manager"], name=f"Mo Manager {name}")
    key_contact = make_staff(world.org, setting, ["practitioner"], [room], name=f"Kit Keycontact {name}")
    other_staff = make_staff(world.org, setting, ["practitioner"], [other_room], name=f"Olly Other {name}")
    family = make_family(world.org, "The Grant family", carers=2)
    carer, no_pr = list(family.carers.order_by("contact_order"))
    Carer.objects.filter(pk=no_pr.pk).update(parental_responsibility=False)
    child = make_child(family, setting, room, legal_first_name="Gina", legal_last_name="Grant",
                       date_of_birth=dt.date(2019, 3, 1), enrolled_on=enrolled_on)
    allocate(family, setting, key_contact)
    carer_account(carer)
    carer_account(no_pr)
    carer.refresh_from_db()
    no_pr.refresh_from_db()
    return Club(setting, room, manager, key_contact, other_staff, family, child, carer, no_pr)


def add_children(club: Club, n: int) -> list[Child]:
    """n more families with a child in the club's room, each allocated to the key contact."""
    out = []
    for i in range(n):
        family = make_family(club.setting.organisation, f"The Extra{i} family")
        child = make_child(family, club.setting, club.room, enrolled_on=dt.date(2026, 9, 2))
        allocate(family, club.setting, club.key_contact)
        out.append(child)
    return out
