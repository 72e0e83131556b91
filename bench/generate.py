"""Generate one large school organisation quickly, for benchmarks.

    from bench.generate import generate_organisation
    big = generate_organisation(children=50_000, seed=1)              # one school of 50,000 children
    trust = generate_organisation(children=50_000, settings=50, seed=1)  # fifty schools of 1,000

About 1.25 children per family, 1 or 2 carers per family, classes of 12 with a teacher and a teaching
assistant each, key aspects for every child, key workers for 95% of families (some with an earlier,
ended allocation), key aspect changes for about 10% of children, a headteacher and an admin office.

Rows are written with bulk_create in batches, inside one transaction, and respect the same invariants as
the services: every row carries the organisation id, a family has at most one current key worker per
setting, and a key worker is a teacher or teaching assistant on the class team of one of the family's
children (a teacher when a child has child-protection status). Deterministic for a given seed.

Sign-in users get an unusable password (hashing 8,000 passwords would take minutes): sign in with
`Client.force_login(staff.user)`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from keyworker.accounts.models import GroupMembership, Role, StaffMember, StaffRole, User
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.organisations.models import Group, Organisation, Setting, SettingKind
from keyworker.organisations.services import organisation_create
from keyworker.people.models import (
    CHILD_PROTECTION_STATUSES,
    Carer,
    Child,
    ContactMethod,
    ContactRestriction,
    Family,
    KeyAspectChange,
    KeyAspects,
    ProtectionStatus,
    Relationship,
)

BATCH = 2000
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
YEAR_GROUPS = ["Reception", "Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6"]
FIRST_NAMES = [
    "Aaliyah", "Adam", "Amara", "Amelia", "Arjun", "Ava", "Ben", "Chloe", "Daniel", "Eliza", "Emil", "Farah",
    "Freya", "George", "Grace", "Hamza", "Harper", "Isaac", "Isla", "Jack", "Jaya", "Kacper", "Leo", "Lily",
    "Maya", "Mohammed", "Nia", "Noah", "Oliver", "Olivia", "Oscar", "Priya", "Rosie", "Ruby", "Sami", "Sofia",
    "Theo", "Yusuf", "Zara", "Zofia",
]
LAST_NAMES = [
    "Adeyemi", "Ahmed", "Baker", "Begum", "Brown", "Campbell", "Chen", "Clarke", "Davies", "Evans", "Green",
    "Hall", "Hughes", "Hussain", "Jones", "Khan", "Kowalski", "Lewis", "Martin", "Mensah", "Murphy", "Nowak",
    "Okafor", "Patel", "Roberts", "Robinson", "Singh", "Smith", "Taylor", "Thomas", "Walker", "White",
    "Williams", "Wilson", "Wright", "Young",
]
LANGUAGES = ["English"] * 8 + ["Polish", "Urdu", "Bengali", "Somali", "Romanian", "Arabic", "Punjabi"]
CARER_RELATIONSHIPS = [Relationship.MOTHER, Relationship.FATHER, Relationship.GRANDPARENT, Relationship.STEP_PARENT,
                       Relationship.GUARDIAN, Relationship.FOSTER_CARER]
ASPECT_CHANGES = [
    ("medical_needs", "", "Asthma: inhaler in the class medical box"),
    ("allergies", "", "Peanuts (EpiPen in the office)"),
    ("behaviour_plan", "", "Reward chart; calm corner"),
    ("outside_agencies", "", "Speech and language therapy"),
    ("family_circumstances", "", "Dad works away during the week"),
    ("first_language", "English", "Polish"),
]


@dataclass
class GeneratedOrganisation:
    organisation: Organisation
    setting: Setting
    headteacher: StaffMember
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def key_worker_with_caseload(self, size: int = 5) -> StaffMember:
        """An active key worker holding `size` families (or the nearest caseload size there is)."""
        caseloads = Counter(
            KeyWorkerAllocation.objects.filter(organisation=self.organisation, ends_at__isnull=True)
            .values_list("staff_id", flat=True)
        )
        best = min(caseloads.items(), key=lambda item: (abs(item[1] - size), item[0]))[0]
        return StaffMember.objects.select_related("user").get(pk=best)


def _bulk(model, objs: list) -> list:
    created: list = []
    for i in range(0, len(objs), BATCH):
        created.extend(model.objects.bulk_create(objs[i:i + BATCH]))
    return created


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _birth_date(rng: random.Random, year_group: str) -> dt.date:
    # Reception children were born September 2021 to August 2022 for the 2026/27 school year.
    offset = YEAR_GROUPS.index(year_group)
    start = dt.date(2021 - offset, 9, 1)
    return start + dt.timedelta(days=rng.randrange(365))


@transaction.atomic
def generate_organisation(
    *, children: int = 50_000, settings: int = 1, seed: int = 1, class_size: int = 12, allocated_share: float = 0.95,
    name: str | None = None, slug: str | None = None,
) -> GeneratedOrganisation:
    """One organisation whose `children` children are spread over `settings` schools (default: one school).

    Returns the organisation, its first school and its headteacher."""
    started = time.perf_counter()
    rng = random.Random(seed)
    org = organisation_create(name=name or f"Benchmark Trust {seed}", slug=slug or f"benchmark-{seed}-{children}-{settings}")
    schools = _bulk(Setting, [
        Setting(organisation=org, name="Benchmark Primary" if settings == 1 else f"Benchmark Primary {k + 1:03d}",
                kind=SettingKind.SCHOOL)
        for k in range(settings)
    ])
    roles = {r.code: r for r in Role.objects.filter(organisation=org)}

    # Families: one child each, then the remaining children go to random families (siblings).
    # A family's children all attend the same school.
    n_families = max(1, min(children, round(children / 1.25)))
    family_of_child = list(range(n_families)) + [rng.randrange(n_families) for _ in range(children - n_families)]
    school_of_family = [f % settings for f in range(n_families)]

    # Classes of about `class_size` children per school, spread over the year groups.
    class_of_child = [0] * children
    group_specs: list[tuple[int, str, str]] = []  # (school index, name, year group)
    pupils_of: list[list[int]] = [[] for _ in range(settings)]
    for c in range(children):
        pupils_of[school_of_family[family_of_child[c]]].append(c)
    for k, pupils in enumerate(pupils_of):
        rng.shuffle(pupils)
        first = len(group_specs)
        n_classes = max(1, math.ceil(len(pupils) / class_size))
        group_specs.extend((k, f"Class {i + 1:05d}", YEAR_GROUPS[i % len(YEAR_GROUPS)]) for i in range(n_classes))
        for position, c in enumerate(pupils):
            class_of_child[c] = first + min(position // class_size, n_classes - 1)
    groups = _bulk(Group, [
        Group(organisation=org, setting=schools[k], name=group_name, year_group=year_group)
        for k, group_name, year_group in group_specs
    ])
    n_classes = len(groups)

    # Staff: a teacher and a teaching assistant per class, a headteacher and an admin office (organisation-wide).
    unusable = make_password(None)  # one unusable marker for all: nobody signs in with a password here
    people: list[tuple[str, str, str, int | None]] = [  # (code, name, role code, class index)
        ("head", "Helen Head", "headteacher", None),
        ("office", "Ada Office", "admin_office", None),
    ]
    for i in range(n_classes):
        for code, role in (("t", "teacher"), ("ta", "teaching_assistant")):
            first, last = _name(rng)
            people.append((f"{code}{i + 1}", f"{first} {last}", role, i))
    users = _bulk(User, [
        User(email=f"{code}.{seed}@bench.example.org", full_name=full_name, password=unusable)
        for code, full_name, _role, _group in people
    ])
    staff = _bulk(StaffMember, [
        StaffMember(organisation=org, user=u, job_title=role.replace("_", " ").capitalize(), staff_code=code.upper())
        for u, (code, _full_name, role, _group) in zip(users, people, strict=True)
    ])
    _bulk(StaffRole, [
        StaffRole(organisation=org, staff=s, setting=schools[group_specs[g][0]] if g is not None else schools[0], role=roles[role])
        for s, (_code, _full_name, role, g) in zip(staff, people, strict=True)
    ])
    _bulk(GroupMembership, [
        GroupMembership(organisation=org, staff=s, group=groups[g])
        for s, (_code, _full_name, _role, g) in zip(staff, people, strict=True) if g is not None
    ])
    headteacher = staff[0]
    team: dict[int, dict[str, StaffMember]] = defaultdict(dict)  # class index -> {"teacher": ..., "teaching_assistant": ...}
    for s, (_code, _full_name, role, g) in zip(staff, people, strict=True):
        if g is not None:
            team[g][role] = s

    surnames = [rng.choice(LAST_NAMES) for _ in range(n_families)]
    families = _bulk(Family, [
        Family(organisation=org, name=f"The {surnames[i]} family", address=f"{i + 1} Long Lane\nBenchtown",
               mis_reference=f"F{i + 1:06d}")
        for i in range(n_families)
    ])
    carers = []
    for i, fam in enumerate(families):
        for order in range(1 if rng.random() < 0.35 else 2):
            restriction = ContactRestriction.COURT_ORDER if rng.random() < 0.01 else ContactRestriction.NONE
            carers.append(Carer(
                organisation=org, family=fam, first_name=rng.choice(FIRST_NAMES), last_name=surnames[i],
                relationship=CARER_RELATIONSHIPS[order if rng.random() < 0.9 else rng.randrange(len(CARER_RELATIONSHIPS))],
                phone=f"07700 9{rng.randrange(100000):05d}", email=f"carer{i}-{order}@families.example.org",
                preferred_contact_method=rng.choice(ContactMethod.values), first_language=rng.choice(LANGUAGES),
                contact_restriction=restriction, restriction_notes="See the office" if restriction else "",
                contact_order=order + 1,
            ))
    carer_count = len(_bulk(Carer, carers))
    del carers

    child_objs = []
    for c in range(children):
        g = groups[class_of_child[c]]
        roll = rng.random()
        status = (ProtectionStatus.CHILD_PROTECTION_PLAN if roll < 0.005 else ProtectionStatus.CHILD_IN_NEED if roll < 0.015
                  else ProtectionStatus.EARLY_HELP if roll < 0.03 else ProtectionStatus.NONE)
        child_objs.append(Child(
            organisation=org, family=families[family_of_child[c]], setting=schools[school_of_family[family_of_child[c]]],
            group=g, legal_first_name=rng.choice(FIRST_NAMES), legal_last_name=surnames[family_of_child[c]],
            preferred_name=rng.choice(FIRST_NAMES) if rng.random() < 0.05 else "",
            date_of_birth=_birth_date(rng, g.year_group), mis_reference=f"C{c + 1:06d}", year_group=g.year_group,
            enrolled_on=dt.date(2024, 9, 1), has_ehcp=rng.random() < 0.03, protection_status=status,
        ))
    child_rows = _bulk(Child, child_objs)
    del child_objs
    _bulk(KeyAspects, [
        KeyAspects(organisation=org, child=ch, first_language=rng.choice(LANGUAGES),
                   religion=rng.choice(["", "", "Christian", "Muslim", "Hindu", "Sikh", "Jewish"]),
                   medical_needs="Asthma" if rng.random() < 0.08 else "",
                   allergies="Nuts" if rng.random() < 0.04 else "")
        for ch in child_rows
    ])

    # Key worker allocations for ~95% of families; some families also have an ended one (history).
    children_of: dict[int, list[int]] = defaultdict(list)
    for c, f in enumerate(family_of_child):
        children_of[f].append(c)
    protected = {f for c, f in enumerate(family_of_child) if child_rows[c].protection_status in CHILD_PROTECTION_STATUSES}
    allocations = []
    ended = 0
    for f, fam in enumerate(families):
        if rng.random() >= allocated_share:
            continue
        cls = class_of_child[rng.choice(children_of[f])]
        school = schools[school_of_family[f]]
        role = "teacher" if f in protected or rng.random() < 0.5 else "teaching_assistant"
        starts = NOW - dt.timedelta(days=rng.randrange(30, 700))
        if rng.random() < 0.1:
            other = "teacher" if role == "teaching_assistant" else "teaching_assistant"
            previous_starts = starts - dt.timedelta(days=rng.randrange(30, 300))
            allocations.append(KeyWorkerAllocation(
                organisation=org, family=fam, setting=school, staff=team[cls][other], starts_at=previous_starts,
                ends_at=starts, reason="First allocation", end_reason="Staff change", allocated_by=headteacher.user,
                ended_by=headteacher.user,
            ))
            ended += 1
        allocations.append(KeyWorkerAllocation(
            organisation=org, family=fam, setting=school, staff=team[cls][role], starts_at=starts,
            reason="First allocation", allocated_by=headteacher.user,
        ))
    allocation_count = len(_bulk(KeyWorkerAllocation, allocations))
    del allocations

    # Some changes to key aspects (~10% of children, one to three each).
    changes = []
    for c, ch in enumerate(child_rows):
        if rng.random() >= 0.1:
            continue
        for k in range(rng.randint(1, 3)):
            field_name, before, after = rng.choice(ASPECT_CHANGES)
            changes.append(KeyAspectChange(
                organisation=org, child=ch, field=field_name, before=before, after=after,
                changed_by=team[class_of_child[c]]["teacher"].user, changed_at=NOW - dt.timedelta(days=rng.randrange(1, 400), minutes=k),
            ))
    change_count = len(_bulk(KeyAspectChange, changes))

    return GeneratedOrganisation(
        organisation=org, setting=schools[0], headteacher=headteacher,
        counts={
            "settings": settings, "children": children, "families": n_families, "carers": carer_count, "classes": n_classes,
            "staff": len(staff), "allocations": allocation_count, "ended_allocations": ended,
            "unallocated_families": n_families - (allocation_count - ended), "key_aspect_changes": change_count,
        },
        seconds=time.perf_counter() - started,
    )
