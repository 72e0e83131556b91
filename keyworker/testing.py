"""Test data: a small school world with fixed personas, and an outsider organisation. Used by every test suite."""

import datetime as dt
import itertools
from dataclasses import dataclass

from keyworker.accounts.access import Actor, actor_for
from keyworker.accounts.models import Role, StaffMember, User
from keyworker.accounts.services import staff_save
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import (
    Group,
    HalfTerm,
    Jurisdiction,
    Organisation,
    Setting,
    SettingKind,
    Term,
)
from keyworker.organisations.services import organisation_create
from keyworker.people.models import Carer, Child, ContactMethod, Family, KeyAspects

PASSWORD = "correct-horse-battery"  # noqa: S105
_seq = itertools.count(1)


def make_org(name: str = "Test School") -> Organisation:
    n = next(_seq)
    return organisation_create(name=f"{name} {n}", slug=f"org-{n}")


def make_setting(org: Organisation, kind: str = SettingKind.SCHOOL, name: str | None = None, jurisdiction=Jurisdiction.ENGLAND) -> Setting:
    return Setting.objects.create(organisation=org, name=name or f"Setting {next(_seq)}", kind=kind, jurisdiction=jurisdiction)


def make_group(setting: Setting, name: str | None = None, year_group: str = "Year 3") -> Group:
    return Group.objects.create(organisation_id=setting.organisation_id, setting=setting, name=name or f"Class {next(_seq)}", year_group=year_group)


def make_staff(org: Organisation, setting: Setting, role_codes: list[str], groups: list[Group] = (), name: str | None = None) -> StaffMember:
    n = next(_seq)
    roles = list(Role.objects.filter(organisation=org, code__in=role_codes))
    assert len(roles) == len(role_codes), role_codes
    return staff_save(
        actor=None, organisation=org, full_name=name or f"Staff Member {n}", email=f"staff{n}@example.org", setting=setting,
        roles=roles, groups=list(groups), password=PASSWORD,
    )


def make_family(org: Organisation, name: str | None = None, carers: int = 1, **carer_fields) -> Family:
    n = next(_seq)
    family = Family.objects.create(organisation=org, name=name or f"The Family{n} family", mis_reference=f"F{n}")
    for i in range(carers):
        Carer.objects.create(
            organisation=org, family=family, first_name=f"Carer{i}", last_name=f"Family{n}", phone="07700 900123",
            preferred_contact_method=ContactMethod.PHONE, contact_order=i + 1, **carer_fields,
        )
    return family


def make_child(family: Family, setting: Setting, group: Group | None, **fields) -> Child:
    n = next(_seq)
    defaults = {
        "legal_first_name": f"Child{n}", "legal_last_name": family.name.split()[1] if " " in family.name else "Test",
        "date_of_birth": dt.date(2018, 5, 1), "enrolled_on": dt.date(2024, 9, 1),
    }
    defaults.update(fields)
    child = Child.objects.create(organisation_id=family.organisation_id, family=family, setting=setting, group=group, **defaults)
    KeyAspects.objects.create(organisation_id=family.organisation_id, child=child, first_language="English")
    return child


def allocate(family: Family, setting: Setting, staff: StaffMember) -> KeyWorkerAllocation:
    return KeyWorkerAllocation.objects.create(
        organisation_id=family.organisation_id, family=family, setting=setting, staff=staff, starts_at=clock.now(), reason="Test"
    )


def add_calendar(setting: Setting) -> None:
    term = Term.objects.create(organisation_id=setting.organisation_id, setting=setting, name="Autumn 2026", school_year="2026/27",
                               starts_on=dt.date(2026, 9, 2), ends_on=dt.date(2026, 12, 18))
    HalfTerm.objects.create(organisation_id=setting.organisation_id, setting=setting, term=term, name="Autumn 1",
                            starts_on=dt.date(2026, 9, 2), ends_on=dt.date(2026, 10, 23))
    HalfTerm.objects.create(organisation_id=setting.organisation_id, setting=setting, term=term, name="Autumn 2",
                            starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 12, 18))


@dataclass
class World:
    """One school organisation with every persona, and another organisation (the outsider)."""

    org: Organisation
    school: Setting
    class_a: Group
    class_b: Group
    headteacher: StaffMember
    deputy: StaffMember
    teacher_a: StaffMember       # class teacher of class A
    ta_a: StaffMember            # teaching assistant of class A: the key worker persona
    teacher_b: StaffMember       # class teacher of class B
    admin_office: StaffMember
    safeguarding_lead: StaffMember
    family_a: Family             # key worker: ta_a; one child in class A
    family_b: Family             # key worker: teacher_b; one child in class B
    family_unallocated: Family   # child in class A, no key worker
    child_a: Child
    child_b: Child
    other_org: Organisation
    outsider: StaffMember        # a headteacher of the other organisation
    other_family: Family

    def actor(self, staff: StaffMember) -> Actor:
        return actor_for(staff.user, staff.organisation_id)

    @property
    def personas(self) -> dict[str, StaffMember]:
        return {
            "headteacher": self.headteacher, "deputy": self.deputy, "teacher_a": self.teacher_a, "key_worker": self.ta_a,
            "teacher_b": self.teacher_b, "admin_office": self.admin_office, "safeguarding_lead": self.safeguarding_lead,
            "outsider": self.outsider,
        }


def make_world() -> World:
    org = make_org()
    school = make_setting(org, name="Test Primary")
    add_calendar(school)
    class_a, class_b = make_group(school, "Ash"), make_group(school, "Beech", "Year 4")
    headteacher = make_staff(org, school, ["headteacher"], name="Helen Head")
    deputy = make_staff(org, school, ["deputy_headteacher"], name="Dev Deputy")
    teacher_a = make_staff(org, school, ["teacher"], [class_a], name="Tara Teacher")
    ta_a = make_staff(org, school, ["teaching_assistant"], [class_a], name="Kim Keyworker")
    teacher_b = make_staff(org, school, ["teacher"], [class_b], name="Ben Teacher")
    admin_office = make_staff(org, school, ["admin_office"], name="Ada Admin")
    safeguarding_lead = make_staff(org, school, ["teaching_assistant", "safeguarding_lead"], [class_b], name="Sam Safeguarding")
    family_a, family_b, family_u = make_family(org, "The Adams family"), make_family(org, "The Brown family"), make_family(org, "The Cole family")
    child_a = make_child(family_a, school, class_a, legal_first_name="Alfie", legal_last_name="Adams")
    child_b = make_child(family_b, school, class_b, legal_first_name="Bella", legal_last_name="Brown")
    make_child(family_u, school, class_a, legal_first_name="Cara", legal_last_name="Cole")
    allocate(family_a, school, ta_a)
    allocate(family_b, school, teacher_b)
    other_org = make_org("Other School")
    other_school = make_setting(other_org, name="Other Primary")
    other_class = make_group(other_school, "Oak")
    outsider = make_staff(other_org, other_school, ["headteacher"], name="Otto Outsider")
    other_family = make_family(other_org, "The Zed family")
    make_child(other_family, other_school, other_class, legal_first_name="Zoe", legal_last_name="Zed")
    return World(org, school, class_a, class_b, headteacher, deputy, teacher_a, ta_a, teacher_b, admin_office,
                 safeguarding_lead, family_a, family_b, family_u, child_a, child_b, other_org, outsider, other_family)


def user_of(staff: StaffMember) -> User:
    return staff.user


def give_second_factor(user: User):
    """A confirmed authenticator app for a person who has none yet (their first), as the sign-in helpers need."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def totp_code(device) -> str:
    """The code the person's authenticator app shows now. Replay protection is reset so a test may sign in twice."""
    from django_otp.oath import totp

    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"


def needs_second_factor(user: User) -> bool:
    """Would this person be asked for a second factor after their password (their role needs one, or they have one)?"""
    from keyworker.accounts import mfa

    return mfa.second_factor_required(actor_for(user)) or mfa.has_second_factor(user)


def verify_second_factor(client, user: User) -> None:
    """Make a test client's signed-in session one that proved a second factor (an app), as if a code was typed."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from keyworker.accounts import mfa

    device = give_second_factor(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[mfa.SESSION_VERIFIED_AT] = clock.now().timestamp()
    session[mfa.SESSION_HAS_DEVICE] = True
    session.save()


def api_client_with_token(staff: StaffMember, *, second_factor: bool = True):
    """An API client holding a token issued by POST /api/v1/auth/token/ (with a TOTP code unless told otherwise)."""
    from rest_framework.test import APIClient

    client = APIClient()
    body = {"email": staff.user.email, "password": PASSWORD}
    if second_factor:
        body["otp"] = totp_code(give_second_factor(staff.user))
    response = client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def confirmed_session(client):
    """Mark a signed-in test client's session as having confirmed the password for restricted records just now."""
    from keyworker.accounts import restricted

    session = client.session
    session[restricted.SESSION_KEY] = clock.now().timestamp()
    session.save()
    return client


def carer_account(carer: Carer, email: str | None = None) -> User:
    """A portal account for this carer (as an accepted invitation leaves it), linked to the carer row; another
    carer row given the same address (the same person in another family or organisation) shares the account."""
    address = (email or carer.email or f"carer{carer.pk}@example.org").lower()
    user = User.objects.filter(email=address).first()
    if user is None:
        user = User.objects.create_user(email=address, full_name=f"{carer.first_name} {carer.last_name}", password=None)
        user.is_carer = True
        user.save(update_fields=["is_carer"])
    Carer.objects.filter(pk=carer.pk).update(user=user, email=address)
    carer.refresh_from_db()
    return user


def portal_client(carer: Carer):
    """A Django test client signed in to the portal as this carer."""
    from django.test import Client

    client = Client()
    client.force_login(carer_account(carer))
    return client
