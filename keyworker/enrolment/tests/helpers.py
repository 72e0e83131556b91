"""A childcare setting inside the test world: a nursery with a room, a manager, a key person, and a family whose
child has just started."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Group, Setting, SettingKind
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

ANSWERS = {
    "allergies": "Peanuts: EpiPen in the bag", "medical_needs": "None", "outside_agencies": "Speech and language therapy",
    "family_circumstances": "Lives with mum and gran", "photo_consent": "yes", "outings_consent": "yes",
    "sun_cream_consent": "no", "emergency_treatment_consent": "yes",
}


@dataclass
class Nursery:
    setting: Setting
    room: Group
    manager: StaffMember
    key_person: StaffMember
    family: Family
    child: Child
    carer: Carer            # mother, parental responsibility
    no_pr: Carer            # a carer without parental responsibility


def make_nursery(world) -> Nursery:
    setting = make_setting(world.org, SettingKind.EARLY_YEARS, name="Little Acorns")
    add_calendar(setting)
    room = make_group(setting, "Ladybirds", "Pre-school")
    manager = make_staff(world.org, setting, ["manager"], name="Mia Manager")
    key_person = make_staff(world.org, setting, ["practitioner"], [room], name="Kai Keyperson")
    family = make_family(world.org, "The Evans family", carers=2)
    carer, no_pr = list(family.carers.order_by("contact_order"))
    Carer.objects.filter(pk=no_pr.pk).update(parental_responsibility=False)
    child = make_child(family, setting, room, legal_first_name="Eli", legal_last_name="Evans",
                       date_of_birth=dt.date(2023, 3, 1), enrolled_on=dt.date(2026, 11, 9))
    allocate(family, setting, key_person)
    carer_account(carer)
    carer_account(no_pr)
    carer.refresh_from_db()
    no_pr.refresh_from_db()
    return Nursery(setting, room, manager, key_person, family, child, carer, no_pr)
