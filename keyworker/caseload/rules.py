"""Who may be a family's key worker (SCH-A1, SCH-A2, CC-A1), answered for one family or many at once."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q

from keyworker.accounts.models import GroupMembership, KeyWorkerEligibility, StaffMember, StaffRole
from keyworker.organisations.models import Setting
from keyworker.people.models import CHILD_PROTECTION_STATUSES, Child, Family

ELIGIBLE = {KeyWorkerEligibility.TEACHER, KeyWorkerEligibility.ASSISTANT, KeyWorkerEligibility.PRACTITIONER}


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str


@dataclass
class SettingStaffFacts:
    """For one setting: staff members' key worker eligibility and class teams, loaded in two queries.

    Load it for the classes in question (and any staff named): only their team members can be key workers
    there, so a school of thousands of staff is never read whole.
    """

    setting: Setting
    eligibility: dict[int, set[str]]  # staff id -> eligibilities held in this setting
    groups: dict[int, set[int]]  # staff id -> group ids
    staff: dict[int, StaffMember]
    team: dict[int, set[int]]  # group id -> staff ids

    @classmethod
    def load(
        cls, setting: Setting, *, group_ids: Iterable[int] | None = None, staff_ids: Iterable[int] = ()
    ) -> "SettingStaffFacts":
        roles = StaffRole.objects.filter(setting=setting, staff__is_active=True)
        memberships = GroupMembership.objects.filter(group__setting=setting)
        if group_ids is not None:
            members = GroupMembership.objects.filter(group_id__in=list(group_ids)).values("staff_id")
            wanted = Q(staff_id__in=members) | Q(staff_id__in=list(staff_ids))
            roles, memberships = roles.filter(wanted), memberships.filter(wanted)
        eligibility: dict[int, set[str]] = defaultdict(set)
        staff: dict[int, StaffMember] = {}
        for sr in roles.select_related("role", "staff__user"):
            if sr.role.key_worker_eligibility in ELIGIBLE:
                eligibility[sr.staff_id].add(sr.role.key_worker_eligibility)
                staff[sr.staff_id] = sr.staff
        groups: dict[int, set[int]] = defaultdict(set)
        team: dict[int, set[int]] = defaultdict(set)
        for staff_id, group_id in memberships.values_list("staff_id", "group_id"):
            groups[staff_id].add(group_id)
            team[group_id].add(staff_id)
        return cls(setting, eligibility, groups, staff, team)

    @classmethod
    def for_families(
        cls, setting: Setting, facts: Iterable["FamilyFacts"], staff_ids: Iterable[int] = ()
    ) -> "SettingStaffFacts":
        group_ids: set[int] = set()
        for f in facts:
            group_ids |= f.group_ids
        return cls.load(setting, group_ids=group_ids, staff_ids=staff_ids)


@dataclass(frozen=True)
class FamilyFacts:
    group_ids: frozenset[int]
    has_child_in_setting: bool
    child_protection: bool


# Other records that put a family under SCH-A2 besides a child's protection status (an open safeguarding concern):
# each answers, in one query, which of the given families they hold. Registered by the apps that keep them.
_PROTECTION_SOURCES: dict[str, Callable[[list[int]], set[int]]] = {}


def register_protection_source(code: str, fetch: Callable[[list[int]], set[int]]) -> None:
    _PROTECTION_SOURCES[code] = fetch


def family_facts(families: list[Family], setting: Setting) -> dict[int, FamilyFacts]:
    """One query for any number of families (and one per protection source): their children's classes in the
    setting and whether any child has child-protection status or an open safeguarding concern."""
    groups: dict[int, set[int]] = defaultdict(set)
    in_setting: set[int] = set()
    protected: set[int] = set()
    rows = Child.objects.filter(family__in=[f.pk for f in families], left_on__isnull=True).values_list(
        "family_id", "setting_id", "group_id", "protection_status"
    )
    for family_id, setting_id, group_id, status in rows:
        if status in CHILD_PROTECTION_STATUSES:
            protected.add(family_id)
        if setting_id == setting.pk:
            in_setting.add(family_id)
            if group_id:
                groups[family_id].add(group_id)
    if setting.is_school and _PROTECTION_SOURCES:
        ids = [f.pk for f in families]
        for fetch in _PROTECTION_SOURCES.values():
            protected |= fetch(ids)
    return {
        f.pk: FamilyFacts(frozenset(groups[f.pk]), f.pk in in_setting, f.pk in protected) for f in families
    }


def refusals(staff: StaffMember, facts: FamilyFacts, setting_facts: SettingStaffFacts) -> list[Refusal]:
    """Every rule that stops `staff` being this family's key worker in the setting; empty means allowed."""
    setting = setting_facts.setting
    word = setting.key_worker_label
    out: list[Refusal] = []
    if not staff.is_active:
        out.append(Refusal("staff_left", f"{staff} has left and cannot be a {word}."))
        return out
    if not facts.has_child_in_setting:
        out.append(Refusal("no_child_in_setting", f"No child of this family is on roll at {setting}."))
        return out
    held = setting_facts.eligibility.get(staff.pk, set())
    if setting.is_school:
        if not held & {KeyWorkerEligibility.TEACHER, KeyWorkerEligibility.ASSISTANT}:
            out.append(Refusal(
                "eligible_role",
                f"Only a class teacher or teaching assistant can be a {word} (SCH-A1); {staff} is neither at {setting}.",
            ))
    elif KeyWorkerEligibility.PRACTITIONER not in held:
        out.append(Refusal(
            "eligible_role", f"Only a practitioner of the room can be a {word} (CC-A1); {staff} is not one at {setting}."
        ))
    if not out and not (setting_facts.groups.get(staff.pk, set()) & facts.group_ids):
        team = "class team" if setting.is_school else "room team"
        out.append(Refusal(
            "class_team",
            f"{staff} is not on the {team} of any of this family's children, so cannot be their {word} (SCH-A1).",
        ))
    if setting.is_school and facts.child_protection and KeyWorkerEligibility.TEACHER not in held:
        out.append(Refusal(
            "teacher_for_child_protection",
            "A child of this family has child-protection status or an open safeguarding concern, so the key worker "
            "must be a teacher (SCH-A2): "
            f"{staff} is not a teacher.",
        ))
    return out


def is_teacher(staff_id: int, setting_facts: SettingStaffFacts) -> bool:
    return KeyWorkerEligibility.TEACHER in setting_facts.eligibility.get(staff_id, set())


def candidates(facts: FamilyFacts, setting_facts: SettingStaffFacts) -> list[StaffMember]:
    """Staff who may be this family's key worker, teachers first. Only class team members can be, so only they are tried."""
    on_teams: set[int] = set()
    for group_id in facts.group_ids:
        on_teams |= setting_facts.team.get(group_id, set())
    allowed = [
        setting_facts.staff[pk] for pk in on_teams
        if pk in setting_facts.staff and not refusals(setting_facts.staff[pk], facts, setting_facts)
    ]
    return sorted(allowed, key=lambda s: (not is_teacher(s.pk, setting_facts), s.user.full_name))
