"""Builds the demo organisations deterministically: a special school in England and a childcare group in Scotland.

Everything goes through the services, as a real set-up would. The same seed gives the same data.
"""

import datetime as dt
import functools
import random
from dataclasses import dataclass, field

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import Role, StaffMember, User
from keyworker.accounts.services import invitation_create, staff_save
from keyworker.caseload import rules
from keyworker.caseload.services import allocation_assign, child_protection_status_set
from keyworker.core import append_only, clock
from keyworker.organisations.models import (
    Closure,
    ClosureKind,
    Group,
    HalfTerm,
    Jurisdiction,
    Organisation,
    Setting,
    SettingKind,
    Term,
)
from keyworker.organisations.services import organisation_create
from keyworker.people.models import (
    Carer,
    Child,
    ContactMethod,
    ContactRestriction,
    Family,
    KeyAspects,
    ProtectionStatus,
    Relationship,
)
from keyworker.people.services import key_aspects_update
from keyworker.people.upn import upn_check_letter

from . import names

PASSWORD = "keyworker-demo"  # noqa: S105 - demo sign-in, printed on purpose
SCHOOL_SLUG = "brookfield-park"
GROUP_SLUG = "thistle-group"


@dataclass
class SignIn:
    role: str
    name: str
    email: str
    organisation: str


@dataclass
class Demo:
    sign_ins: list[SignIn] = field(default_factory=list)
    carer_sign_ins: list[SignIn] = field(default_factory=list)  # the carers' portal: no password, an e-mailed link
    counts: dict[str, int] = field(default_factory=dict)


# England: 2026/27 and 2027/28 (terms, half terms). Scotland: the same two years on its own calendar.
ENGLAND_YEARS = [
    ("2026/27", [
        ("Autumn 2026", [("Autumn 1", "2026-09-02", "2026-10-23"), ("Autumn 2", "2026-11-02", "2026-12-18")]),
        ("Spring 2027", [("Spring 1", "2027-01-04", "2027-02-12"), ("Spring 2", "2027-02-22", "2027-03-25")]),
        ("Summer 2027", [("Summer 1", "2027-04-12", "2027-05-28"), ("Summer 2", "2027-06-07", "2027-07-21")]),
    ]),
    ("2027/28", [
        ("Autumn 2027", [("Autumn 1", "2027-09-01", "2027-10-22"), ("Autumn 2", "2027-11-01", "2027-12-17")]),
        ("Spring 2028", [("Spring 1", "2028-01-04", "2028-02-11"), ("Spring 2", "2028-02-21", "2028-03-31")]),
        ("Summer 2028", [("Summer 1", "2028-04-18", "2028-05-26"), ("Summer 2", "2028-06-05", "2028-07-20")]),
    ]),
]
ENGLAND_CLOSURES = [("inset", "INSET day", "2027-01-04"), ("inset", "INSET day", "2027-06-07"), ("closure", "Polling station", "2027-05-06")]
SCOTLAND_YEARS = [
    ("2026/27", [
        ("Autumn 2026", [("Autumn 1", "2026-08-18", "2026-10-09"), ("Autumn 2", "2026-10-19", "2026-12-22")]),
        ("Winter 2027", [("Winter 1", "2027-01-06", "2027-02-12"), ("Winter 2", "2027-02-17", "2027-03-26")]),
        ("Summer 2027", [("Summer 1", "2027-04-12", "2027-05-21"), ("Summer 2", "2027-05-24", "2027-06-25")]),
    ]),
    ("2027/28", [
        ("Autumn 2027", [("Autumn 1", "2027-08-17", "2027-10-08"), ("Autumn 2", "2027-10-18", "2027-12-22")]),
        ("Winter 2028", [("Winter 1", "2028-01-06", "2028-02-11"), ("Winter 2", "2028-02-16", "2028-03-31")]),
        ("Summer 2028", [("Summer 1", "2028-04-17", "2028-05-19"), ("Summer 2", "2028-05-22", "2028-06-28")]),
    ]),
]
SCOTLAND_CLOSURES = [("inset", "In-service day", "2026-11-16"), ("holiday", "September weekend", "2026-09-25")]

SCHOOL_CLASSES = [
    ("Willow", "Reception"), ("Ash", "Year 1"), ("Beech", "Year 2"), ("Birch", "Year 3"), ("Cedar", "Year 4"),
    ("Elm", "Year 5"), ("Hazel", "Year 6"), ("Maple", "Year 6"), ("Oak", "Years 1–2"), ("Pine", "Years 3–4"),
    ("Rowan", "Years 5–6"), ("Yew", "Year 5"),
]
YEAR_AGE = {"Reception": 4, "Year 1": 5, "Year 2": 6, "Year 3": 7, "Year 4": 8, "Year 5": 9, "Year 6": 10}
# Babies start nursery a few months old at the earliest.
YOUNGEST_AT_ENROLMENT = dt.timedelta(days=120)


def _class_years(year_group: str) -> list[str]:
    """The year groups a class teaches: "Year 3" one, "Years 1–2" both."""
    if "–" not in year_group:
        return [year_group]
    low, high = (int(n) for n in year_group.removeprefix("Years ").split("–"))
    return [f"Year {n}" for n in range(low, high + 1)]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _school_year_start(setting: Setting) -> dt.date:
    """The first day of the setting's current school year (the first in the calendar before it begins)."""
    from keyworker.organisations.calendar import TermCalendar

    calendar = TermCalendar.for_setting(setting)
    return calendar.school_year_start(clock.today(setting.time_zone)) or calendar.terms[0].starts_on


def _at(day: dt.date, hour: int, setting: Setting) -> dt.datetime:
    return clock.start_of_day(day, setting.time_zone) + dt.timedelta(hours=hour)


def _allocated_from_the_first_day(setting: Setting) -> None:
    """The key workers were given at the start of the school year (before its first contact), not the day the
    demo was built."""
    from keyworker.caseload.models import KeyWorkerAllocation

    KeyWorkerAllocation.objects.filter(setting=setting, ends_at__isnull=True).update(
        starts_at=_at(_school_year_start(setting), 8, setting))


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _calendar(setting: Setting, years, closures) -> None:
    for school_year, terms in years:
        for term_name, halves in terms:
            term = Term.objects.create(
                organisation_id=setting.organisation_id, setting=setting, name=term_name, school_year=school_year,
                starts_on=_d(halves[0][1]), ends_on=_d(halves[-1][2]),
            )
            HalfTerm.objects.bulk_create([
                HalfTerm(organisation_id=setting.organisation_id, setting=setting, term=term, name=n, starts_on=_d(a), ends_on=_d(b))
                for n, a, b in halves
            ])
    Closure.objects.bulk_create([
        Closure(organisation_id=setting.organisation_id, setting=setting, kind=ClosureKind(k), name=n, starts_on=_d(d), ends_on=_d(d))
        for k, n, d in closures
    ])


class _People:
    """Deterministic pools of names so that no two staff share a name."""

    def __init__(self, rng: random.Random, domain: str):
        self.rng = rng
        self.domain = domain
        self.used: set[str] = set()

    def staff_name(self) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(names.STAFF_FIRST), self.rng.choice(names.STAFF_LAST)
            if f"{first} {last}" not in self.used:
                self.used.add(f"{first} {last}")
                return f"{first} {last}", f"{first}.{last}@{self.domain}".lower()


def _upn(rng: random.Random, la: str, estab: str, i: int, year: int) -> str:
    body = f"{la}{estab}{year % 100:02d}{i:03d}"
    letter = upn_check_letter(body)
    return f"{letter}{body}"


def _household(
    rng: random.Random, org: Organisation, surname: str, carers_first: list[str], language: str, *, scotland: bool, n: int
) -> Family:
    street = rng.choice(["Church Road", "Station Road", "Park Avenue", "Victoria Street", "Mill Lane", "Queens Road", "Kings Drive"])
    town = rng.choice(["Glasgow", "Paisley", "Rutherglen"]) if scotland else rng.choice(["Manchester", "Salford", "Stockport"])
    address = f"{rng.randint(1, 180)} {street}\n{town}"
    family = Family.objects.create(organisation=org, name=f"The {surname} family", address=address, mis_reference=f"HH{n:05d}")
    two = rng.random() < 0.7
    methods = [ContactMethod.MESSAGING_APP, ContactMethod.PHONE, ContactMethod.FACE_TO_FACE, ContactMethod.EMAIL, ContactMethod.MESSAGING_APP, ContactMethod.PHONE]
    for order, first in enumerate(carers_first[: 2 if two else 1], start=1):
        method = rng.choice(methods)
        Carer.objects.create(
            organisation=org, family=family, first_name=first, last_name=surname,
            relationship=Relationship.MOTHER if order == 1 else Relationship.FATHER,
            parental_responsibility=True, phone=f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            email=f"{first}.{surname}{n}@example.org".lower().replace("'", ""), address=address,
            preferred_contact_method=method, first_language=language if order == 1 or rng.random() < 0.7 else "English",
            contact_order=order,
        )
    return family


@transaction.atomic
def build(seed: int = 2026) -> Demo:
    rng = random.Random(seed)
    demo = Demo()
    _build_school(rng, demo)
    _build_childcare(rng, demo)
    _set_up_before_the_year()
    _adopt_policies()
    _histories()
    _carer_accounts_date_from_set_up()
    from .second_factor import give_second_factors

    give_second_factors([SCHOOL_SLUG, GROUP_SLUG])
    _api_tokens()
    from .signins import carer_sign_in

    demo.carer_sign_ins = carer_sign_in()
    return demo


def _carer_accounts_date_from_set_up() -> None:
    """Carers' portal accounts made by the histories (invitations, messages, data checks) date from the
    organisations' set-up, like everyone else's, so no one did anything before they were in the system."""
    from keyworker.accounts.models import User

    set_up = Organisation.objects.filter(slug__in=[SCHOOL_SLUG, GROUP_SLUG]).order_by("created_at").values_list(
        "created_at", flat=True).first()
    if set_up is not None:
        User.objects.filter(is_carer=True, date_joined__gt=set_up).update(date_joined=set_up)


def _set_up_before_the_year() -> None:
    """Staff, families and children were set up before the school year began (the key workers wrote to families
    from its first day), not on the day the demo was built."""
    from keyworker.accounts.models import User

    orgs = Organisation.objects.filter(slug__in=[SCHOOL_SLUG, GROUP_SLUG])
    first = min(((_school_year_start(s), s) for s in Setting.objects.filter(organisation__in=orgs)), key=lambda p: p[0])
    set_up = _at(first[0] - dt.timedelta(days=1), 9, first[1])
    orgs.update(created_at=set_up)
    User.objects.filter(memberships__organisation__in=orgs).update(date_joined=set_up)
    for model in (StaffMember, Family, Child):
        model.objects.filter(organisation__in=orgs).update(created_at=set_up)


def _api_tokens() -> None:
    """A token for the school's safeguarding lead, so their account page shows one (it works for 8 hours)."""
    from keyworker.accounts.models import StaffRole
    from keyworker.accounts.tokens import api_token_issue

    role = StaffRole.objects.filter(organisation__slug=SCHOOL_SLUG, role__code="safeguarding_lead",
                                    staff__is_active=True).select_related("staff__user").order_by("staff_id").first()
    if role is not None:
        api_token_issue(user=role.staff.user, name="Chronology export script")


# Each domain app's back-dated demo records for the school, in this order (celebrations become contacts, so
# they come after the contact history; briefings read the key aspects changes the data checks apply).
HISTORIES = (
    "keyworker.contacts.demo.contacts_demo_history",
    "keyworker.attendance.demo.demo_history",
    "keyworker.contacts.demo.absence_follow_ups_demo",
    "keyworker.contacts.demo.messages_demo",
    "keyworker.celebrations.demo.demo_history",
    "keyworker.datachecks.demo.demo_history",
    "keyworker.datachecks.demo.portal_demo_history",
    "keyworker.briefings.demo.demo_history",
    "keyworker.wellbeing.demo.demo_history",
    "keyworker.safeguarding.demo.demo_history",
    "keyworker.meetings.demo.demo_history",
    "keyworker.meetings.reminders_demo.demo_history",
    "keyworker.meetings.evenings_demo.demo_history",
    "keyworker.meetings.reviews_demo.demo_history",
    "keyworker.demo.email.demo_history",
    "keyworker.portal.demo.demo_history",
    "keyworker.targets.demo.demo_history",
    "keyworker.transitions.demo.demo_history",
    "keyworker.imports.ctf_demo.demo_history",
    "keyworker.imports.sync_demo.demo_history",
)
# The childcare group's back-dated records.
GROUP_HISTORIES = (
    "keyworker.portal.demo.group_demo_history",
    "keyworker.enrolment.demo.demo_history",
    "keyworker.care.plans_demo.demo_history",
    "keyworker.care.journals_demo.demo_history",
    "keyworker.care.checklists_demo.demo_history",
    "keyworker.care.monitoring_demo.demo_history",  # last: it samples the journals and plans above
)


def _histories() -> None:
    """Back-dated records, so My week shows met, due soon and overdue work and the timelines have a past."""
    from django.utils.module_loading import import_string

    school = Organisation.objects.get(slug=SCHOOL_SLUG)
    for dotted in HISTORIES:
        import_string(dotted)(organisation=school)
    group = Organisation.objects.get(slug=GROUP_SLUG)
    for dotted in GROUP_HISTORIES:
        import_string(dotted)(organisation=group)


def _adopt_policies() -> None:
    """Each organisation adopts its built-in policy, in force since its school year began (the demo's history goes
    back to then); obligations are computed as of today."""
    from keyworker.core import clock
    from keyworker.organisations.calendar import TermCalendar
    from keyworker.standards.services import policy_adopt_builtin

    today = clock.today()
    for slug, template in ((SCHOOL_SLUG, "school_key_worker"), (GROUP_SLUG, "childcare_key_contact")):
        org = Organisation.objects.get(slug=slug)
        starts = [TermCalendar.for_setting(s).school_year_start(today) for s in Setting.objects.filter(organisation=org)]
        began = min((d for d in starts if d is not None), default=today)
        policy_adopt_builtin(organisation=org, template_code=template, as_of=today, effective_from=min(began, today))


def _staff(org, setting, people: _People, roles: dict[str, Role], codes: list[str], groups: list[Group], job: str):
    full, email = people.staff_name()
    staff = staff_save(
        actor=None, organisation=org, full_name=full, email=email, setting=setting,
        roles=[roles[c] for c in codes], groups=groups, job_title=job,
    )
    # The demo's shared, printed password would fail the password rules (it says "keyworker"): set it directly.
    if not staff.user.has_usable_password():
        staff.user.password = _demo_password_hash()
        staff.user.save(update_fields=["password"])
    return staff


@functools.cache
def _demo_password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def _build_school(rng: random.Random, demo: Demo) -> None:
    org = organisation_create(name="Brookfield Park School", slug=SCHOOL_SLUG)
    school = Setting.objects.create(
        organisation=org, name="Brookfield Park School", kind=SettingKind.SCHOOL, jurisdiction=Jurisdiction.ENGLAND,
        time_zone="Europe/London", urn="199001",
    )
    _calendar(school, ENGLAND_YEARS, ENGLAND_CLOSURES)
    roles = {r.code: r for r in Role.objects.filter(organisation=org)}
    groups = [Group.objects.create(organisation=org, setting=school, name=n, year_group=y) for n, y in SCHOOL_CLASSES]
    people = _People(rng, "brookfieldpark.sch.uk")
    september = _school_year_start(school).year

    head = _staff(org, school, people, roles, ["headteacher"], [], "Headteacher")
    deputies = [_staff(org, school, people, roles, ["deputy_headteacher", "leadership_team"], [], "Deputy headteacher") for _ in range(2)]
    admin = _staff(org, school, people, roles, ["admin_office"], [], "School business manager")
    teachers, tas = {}, {}
    for g in groups:
        teachers[g.pk] = _staff(org, school, people, roles, ["teacher"], [g], f"Class teacher, {g.name}")
        tas[g.pk] = [_staff(org, school, people, roles, ["teaching_assistant"], [g], f"Teaching assistant, {g.name}") for _ in range(2)]
    # The TA4 with responsibility for safeguarding (SCH-4) is a class TA who also holds the safeguarding lead role.
    dsl = tas[groups[3].pk][0]
    staff_save(actor=None, organisation=org, full_name=dsl.user.full_name, email=dsl.user.email, setting=school,
               roles=[roles["teaching_assistant"], roles["safeguarding_lead"]], groups=[groups[3]],
               job_title="Teaching assistant (TA4), safeguarding lead", staff=dsl)

    # 120 pupils, 10 per class, in about 100 households: siblings are placed in other classes.
    households = list(names.HOUSEHOLDS)
    rng.shuffle(households)
    slots = [g for g in groups for _ in range(10)]
    rng.shuffle(slots)
    families: list[Family] = []
    pupil = 0
    h = 0
    while slots:
        surname, kids, carers_first, language, religion = households[h % len(households)]
        if h >= len(households):  # a second pass: the same kinds of household, different families
            surname = names.MORE_SURNAMES[(h - len(households)) % len(names.MORE_SURNAMES)]
        family = _household(rng, org, surname, carers_first, language, scotland=False, n=h)
        n_children = 1 if rng.random() < 0.8 else (2 if rng.random() < 0.9 else 3)
        for k in range(min(n_children, len(slots))):
            g = slots.pop()
            years = _class_years(g.year_group)
            year_group = years[(pupil + k) % len(years)]
            age = YEAR_AGE[year_group]  # on 1 September
            born = dt.date(september - age - 1, 9, 1) + dt.timedelta(days=rng.randint(0, 364))
            first = kids[(k + h) % len(kids)]
            pupil += 1
            upn = _upn(rng, "352", "7001", pupil, born.year + 4)
            if pupil in (17, 58):  # two mistyped UPNs, as real MIS data has
                upn = ("A" if upn[0] != "A" else "B") + upn[1:]
            child = Child.objects.create(
                organisation=org, family=family, setting=school, group=g, legal_first_name=first, legal_last_name=surname,
                date_of_birth=born, upn=upn, mis_reference=f"P{pupil:05d}", year_group=year_group,
                enrolled_on=dt.date(september - max(age - 4, 0), 9, 1), has_ehcp=rng.random() < 0.9,
            )
            KeyAspects.objects.create(
                organisation=org, child=child, first_language=language, religion=religion,
                medical_needs=rng.choice(names.MEDICAL), allergies=rng.choice(names.ALLERGIES),
                behaviour_plan=rng.choice(names.BEHAVIOUR), outside_agencies=rng.choice(names.AGENCIES),
            )
        families.append(family)
        h += 1

    # Contact restrictions on a few carers.
    restricted = [c for c in Carer.objects.filter(organisation=org, contact_order=2).order_by("id")][:3]
    notes = ["Non-molestation order: no contact, do not share information", "Child arrangements order: information only, no collection", "No contact at mother's request, pending court hearing"]
    kinds = [ContactRestriction.NO_CONTACT, ContactRestriction.COURT_ORDER, ContactRestriction.NO_CONTACT]
    for carer, kind, note in zip(restricted, kinds, notes, strict=False):
        carer.contact_restriction, carer.restriction_notes = kind, note
        carer.save(update_fields=["contact_restriction", "restriction_notes"])

    head_actor = actor_for(head.user)
    facts_cache = rules.SettingStaffFacts.load(school)
    # Leave the last eight families unallocated: a visible gap for the headteacher.
    allocated = families[:-8]
    key_worker_demo = tas[groups[1].pk][0]
    caseload: dict[int, int] = {}
    for i, family in enumerate(allocated):
        facts = rules.family_facts([family], school)[family.pk]
        options = rules.candidates(facts, facts_cache)
        if not options:
            continue
        mine = [s for s in options if s.pk == key_worker_demo.pk]
        # Balance caseloads (CC-A1), but give the demo key worker a few families to show.
        choice = mine[0] if mine and i % 2 == 0 else min(options, key=lambda s: (caseload.get(s.pk, 0), s.pk))
        caseload[choice.pk] = caseload.get(choice.pk, 0) + 1
        allocation_assign(actor=head_actor, family=family, setting=school, staff=choice, reason="Start of the school year")
    _allocated_from_the_first_day(school)

    # Child-protection status: one allocated family (its key worker is a teacher), one unallocated (for the refusal demo).
    cp_allocated = next(f for f in allocated if any(rules.is_teacher(a.staff_id, facts_cache) for a in f.allocations.all()))
    child_protection_status_set(actor=None, child=cp_allocated.children.first(), status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    cp_unallocated = families[-1]
    child_protection_status_set(actor=None, child=cp_unallocated.children.first(), status=ProtectionStatus.CHILD_IN_NEED)

    # A little key aspects history.
    teacher_actor = actor_for(teachers[groups[1].pk].user)
    for child in Child.objects.filter(group=groups[1]).order_by("id")[:3]:
        key_aspects_update(actor=teacher_actor, child=child, changes={"medical_needs": "Asthma: blue inhaler in class, spacer in the office"})
    key_aspects_update(actor=teacher_actor, child=Child.objects.filter(group=groups[1]).order_by("id").first(),
                       changes={"family_circumstances": "New baby brother born in October; mum on maternity leave"})

    demo.sign_ins += [
        SignIn("Headteacher", head.user.full_name, head.user.email, org.name),
        SignIn("Deputy headteacher", deputies[0].user.full_name, deputies[0].user.email, org.name),
        SignIn("Key worker (teaching assistant)", key_worker_demo.user.full_name, key_worker_demo.user.email, org.name),
        SignIn("Class teacher", teachers[groups[1].pk].user.full_name, teachers[groups[1].pk].user.email, org.name),
        SignIn("Safeguarding lead (TA4)", dsl.user.full_name, dsl.user.email, org.name),
        SignIn("Admin office", admin.user.full_name, admin.user.email, org.name),
    ]
    demo.counts[org.name] = Child.objects.filter(organisation=org).count()


def _build_childcare(rng: random.Random, demo: Demo) -> None:
    org = organisation_create(name="Thistle Childcare Group", slug=GROUP_SLUG)
    roles = {r.code: r for r in Role.objects.filter(organisation=org)}
    people = _People(rng, "thistlegroup.org.uk")
    specs = [
        ("Thistle Early Years", SettingKind.EARLY_YEARS, [("Babies", "0–2 years"), ("Toddlers", "2–3 years"), ("Pre-school", "3–5 years")]),
        ("Thistle Out of School Club", SettingKind.OUT_OF_SCHOOL_CARE, [("P1–P3 Club", "5–8 years"), ("P4–P7 Club", "8–12 years")]),
        ("Indi Youth", SettingKind.YOUTH, [("Juniors", "11–14 years"), ("Seniors", "14–18 years")]),
    ]
    households = list(reversed(names.HOUSEHOLDS))
    h = 0
    first_manager = None
    key_person = None
    for name, kind, rooms in specs:
        setting = Setting.objects.create(organisation=org, name=name, kind=kind, jurisdiction=Jurisdiction.SCOTLAND, time_zone="Europe/London")
        _calendar(setting, SCOTLAND_YEARS, SCOTLAND_CLOSURES)
        groups = [Group.objects.create(organisation=org, setting=setting, name=n, year_group=y) for n, y in rooms]
        manager = _staff(org, setting, people, roles, ["manager"], [], f"Manager, {name}")
        first_manager = first_manager or manager
        if kind == SettingKind.OUT_OF_SCHOOL_CARE:
            club, club_manager, club_room = setting, manager, groups[0]
        _staff(org, setting, people, roles, ["assistant_manager"], [], f"Assistant manager, {name}")
        practitioners = {g.pk: [_staff(org, setting, people, roles, ["lead_practitioner" if i == 0 else "practitioner"], [g], f"Practitioner, {g.name}") for i in range(2)] for g in groups}
        if key_person is None:
            key_person = practitioners[groups[1].pk][1]
        actor = actor_for(manager.user)
        facts = rules.SettingStaffFacts.load(setting)
        enrolled_on = _school_year_start(setting) - dt.timedelta(days=1)
        today = clock.today(setting.time_zone)
        for g in groups:
            lo, hi = (int(n) for n in g.year_group.removesuffix(" years").split("–"))
            # Aged from `lo` to under `hi` today, and old enough for a nursery when enrolled.
            earliest = _years_before(today, hi) + dt.timedelta(days=1)
            latest = min(_years_before(today, lo), enrolled_on - YOUNGEST_AT_ENROLMENT)
            for _ in range(7):
                surname, kids, carers_first, language, _religion = households[h % len(households)]
                family = _household(rng, org, surname, carers_first, language, scotland=True, n=h)
                born = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
                child = Child.objects.create(
                    organisation=org, family=family, setting=setting, group=g, legal_first_name=kids[h % len(kids)],
                    legal_last_name=surname, date_of_birth=born, enrolled_on=enrolled_on, mis_reference=f"C{h:05d}",
                )
                KeyAspects.objects.create(organisation=org, child=child, first_language=language, allergies=rng.choice(names.ALLERGIES))
                h += 1
                if rng.random() < 0.9:
                    options = rules.candidates(rules.family_facts([family], setting)[family.pk], facts)
                    pick = [o for o in options if key_person and o.pk == key_person.pk] or options
                    allocation_assign(actor=actor, family=family, setting=setting, staff=pick[0], reason="Enrolment")
        _allocated_from_the_first_day(setting)
    assert first_manager is not None and key_person is not None
    # One invitation waiting: the school's class teacher is invited to help at the club. They see it at the top
    # of every page once signed in, and accept or decline it themselves.
    teacher_email = next(s.email for s in demo.sign_ins if s.role == "Class teacher")
    invitation_create(
        actor=actor_for(club_manager.user), organisation=org, user=User.objects.get(email=teacher_email), setting=club,
        roles=[roles["practitioner"]], groups=[club_room], job_title="Holiday club practitioner",
    )
    demo.sign_ins += [
        SignIn("Manager (early years)", first_manager.user.full_name, first_manager.user.email, org.name),
        SignIn("Key person (practitioner)", key_person.user.full_name, key_person.user.email, org.name),
    ]
    demo.counts[org.name] = Child.objects.filter(organisation=org).count()


def exists() -> bool:
    return Organisation.objects.filter(slug__in=[SCHOOL_SLUG, GROUP_SLUG]).exists()


def remove() -> None:
    """Delete the demo organisations, everything they own (every app's rows) and the demo users."""
    from django.apps import apps

    from keyworker.organisations.models import OrganisationOwned

    owned = [m for m in apps.get_models() if issubclass(m, OrganisationOwned) and not m._meta.abstract]
    # The demo's audit and access logs go with it: an operator's step, lifting the append-only triggers for
    # the time it takes (the database role running the demo owns the tables).
    with transaction.atomic(), append_only.lifted():
        for org in Organisation.objects.filter(slug__in=[SCHOOL_SLUG, GROUP_SLUG]):
            _remove_organisation(org, owned)


def _remove_organisation(org: Organisation, owned: list) -> None:
    from django.db.models import ProtectedError, RestrictedError

    from keyworker.accounts.models import User
    from keyworker.core.models import AuditEvent

    user_ids = list(StaffMember.objects.filter(organisation=org).values_list("user_id", flat=True))
    # Carers' portal accounts of the demo's families (an account with no carer left anywhere goes too).
    user_ids += list(Carer.objects.filter(organisation=org, user__isnull=False).values_list("user_id", flat=True))
    # Rows that protect others (a contact's author, a child's setting) go once what points at them has gone:
    # repeat until a pass deletes everything.
    pending = list(owned)
    for _ in range(len(owned) + 1):
        blocked = []
        for model in pending:
            try:
                with transaction.atomic():  # a refused delete must not spoil the outer transaction (PostgreSQL)
                    model.objects.filter(organisation_id=org.pk).delete()
            except (ProtectedError, RestrictedError):
                blocked.append(model)
        if not blocked:
            break
        pending = blocked
    else:
        raise RuntimeError(f"Could not remove the demo: {', '.join(m.__name__ for m in pending)} still referenced")
    AuditEvent.objects.filter(organisation_id=org.pk).delete()
    org.delete()
    User.objects.filter(pk__in=user_ids, memberships__isnull=True, carer_records__isnull=True).delete()
