"""Reads for caseloads and allocation, scoped to the acting user, in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import GroupMembership, KeyWorkerEligibility, Scope, StaffMember, StaffRole
from keyworker.accounts.selectors import staff_visible_to
from keyworker.organisations.models import Setting, SettingKind
from keyworker.people.models import Child, Family
from keyworker.people.selectors import families_in_setting, families_visible_to, with_household

from .models import KeyWorkerAllocation
from .policies import allocation_settings


def current_allocations() -> QuerySet[KeyWorkerAllocation]:
    return KeyWorkerAllocation.objects.filter(ends_at__isnull=True)


def family_scope(actor: Actor) -> Q:
    """A Q on Family selecting the families this person may see: the whole organisation for organisation-wide
    roles; else their own caseload, the families of the settings they hold a setting-wide role in, and those of
    their class teams (for class-scoped roles). Registered with keyworker.people.scope when the app starts."""
    if not actor.staff:
        return Q(pk__in=[])
    org_q = Q(organisation_id=actor.organisation_id)
    if actor.has_organisation_scope:
        return org_q
    visible = Q(id__in=current_allocations().filter(staff=actor.staff).values("family_id"))
    if actor.settings_with_scope:
        visible |= Q(id__in=Child.objects.filter(setting_id__in=actor.settings_with_scope).values("family_id"))
        # A family just added, before its children are, belongs to no setting yet: setting-wide roles see it.
        visible |= ~Q(id__in=Child.objects.filter(organisation_id=actor.organisation_id).values("family_id"))
    group_scoped = {r.setting_id for r in actor.roles if r.role.scope == Scope.OWN_GROUP}
    if group_scoped and actor.group_ids:
        visible |= Q(id__in=Child.objects.filter(group_id__in=actor.group_ids).values("family_id"))
    return org_q & visible


# The key worker's own caseload, as My week's panels need it: read once per page that reads shared
# (Actor.reads_shared), and each panel then joins on ids already known, or reads nothing when there are none.


def current_caseload(actor: Actor) -> list[KeyWorkerAllocation]:
    """The actor's current allocations, each with its family and setting, in family name order: one query."""
    if not actor.staff:
        return []
    return actor.shared("caseload", lambda: list(
        current_allocations().filter(organisation_id=actor.organisation_id, staff=actor.staff)
        .select_related("family", "setting").order_by("family__name", "family_id", "id")
    ))


def caseload_family_ids(actor: Actor) -> list[int]:
    """The families of the actor's current caseload, in family name order (no query beyond current_caseload)."""
    return list(dict.fromkeys(a.family_id for a in current_caseload(actor)))


def caseload_children(actor: Actor) -> list[Child]:
    """Every child of the actor's caseload families (any setting, on roll or not: each panel says which it wants),
    with family, setting, class and key aspects, in name order: one query, none without a caseload."""
    family_ids = caseload_family_ids(actor)
    if not family_ids:
        return []
    return actor.shared("caseload_children", lambda: list(
        Child.objects.filter(organisation_id=actor.organisation_id, family_id__in=family_ids)
        .select_related("family", "setting", "group", "key_aspects").order_by("legal_last_name", "legal_first_name", "id")
    ))


def on_roll_between(child: Child, start, end) -> bool:
    """The same test as `on_roll` querysets (enrolled by `end`, not left before `start`), on a loaded child."""
    return child.enrolled_on <= end and (child.left_on is None or child.left_on >= start)


def with_key_workers(qs: QuerySet[Family]) -> QuerySet[Family]:
    """Each family's current allocations (with staff and setting) in one more query."""
    return qs.prefetch_related(
        Prefetch(
            "allocations",
            queryset=current_allocations().select_related("staff__user", "setting"),
            to_attr="current_allocations",
        )
    )


def my_families(actor: Actor) -> QuerySet[Family]:
    """Families whose current key worker is the acting staff member."""
    if not actor.staff:
        return Family.objects.none()
    mine = current_allocations().filter(staff=actor.staff).values("family_id")
    return with_key_workers(with_household(Family.objects.filter(organisation_id=actor.organisation_id, id__in=mine)))


def caseload_of(staff: StaffMember) -> QuerySet[Family]:
    mine = current_allocations().filter(staff=staff).values("family_id")
    return with_key_workers(with_household(Family.objects.filter(organisation_id=staff.organisation_id, id__in=mine)))


def manageable_settings(actor: Actor) -> list[Setting]:
    return allocation_settings(actor)


def access_setting(actor: Actor, setting_id: int | str | None) -> Setting:
    return choose_setting(list(actor.settings()), setting_id)


def choose_setting(settings: list[Setting], setting_id: int | str | None) -> Setting:
    """The setting asked for among those given (the first when none is asked for); 404 for any other."""
    if setting_id in (None, ""):
        if not settings:
            raise Http404
        return settings[0]
    try:
        sid = int(setting_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    for s in settings:
        if s.pk == sid:
            return s
    raise Http404("No such setting")


def unallocated_families(actor: Actor, setting: Setting) -> QuerySet[Family]:
    allocated = current_allocations().filter(setting=setting, family=OuterRef("pk"))
    return families_in_setting(actor, setting).filter(~Exists(allocated))


def setting_coverage(actor: Actor, setting: Setting) -> tuple[int, list[int]]:
    """How many families are on roll in the setting, and the ids of those without a key worker: one query.

    Walking families in name order and testing each (the plan PostgreSQL picks for "the first 25 by name")
    reads most of a large organisation when few families are unallocated; the setting's families are few.
    """
    allocated = current_allocations().filter(setting=setting, family=OuterRef("pk"))
    rows = families_in_setting(actor, setting).order_by().annotate(allocated=Exists(allocated)).values_list("id", "allocated")
    total, gap = 0, []
    for family_id, has_key_worker in rows:
        total += 1
        if not has_key_worker:
            gap.append(family_id)
    return total, gap


def flagged_allocations(actor: Actor, setting: Setting) -> QuerySet[KeyWorkerAllocation]:
    """SCH-A2: allocations whose key worker must be replaced by a teacher."""
    qs = current_allocations().filter(setting=setting, needs_teacher_since__isnull=False)
    if not actor.has_organisation_scope:
        qs = qs.filter(family__in=families_visible_to(actor).values("id"))
    return qs.filter(organisation_id=actor.organisation_id).select_related("family", "staff__user")


def current_caseload_count(setting: Setting | None = None) -> Coalesce:
    """A staff member's current families, as a correlated subquery served by allocation_current_staff_idx.

    (A join with GROUP BY would aggregate every allocation of the organisation before paging.)
    """
    qs = current_allocations().filter(staff=OuterRef("pk"))
    if setting is not None:
        qs = qs.filter(setting=setting)
    return Coalesce(Subquery(qs.order_by().values("staff").annotate(n=Count("id")).values("n")), 0)


def caseload_sizes(actor: Actor, setting: Setting) -> QuerySet[StaffMember]:
    """Every staff member who may be a key worker in the setting, with the number of families they hold there."""
    eligible_roles = StaffRole.objects.filter(setting=setting).exclude(role__key_worker_eligibility=KeyWorkerEligibility.NONE)
    return (
        StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True, id__in=eligible_roles.values("staff_id"))
        .select_related("user")
        .annotate(families=current_caseload_count(setting))
        .prefetch_related(Prefetch("staff_roles", queryset=StaffRole.objects.filter(setting=setting).select_related("role")))
        .order_by("-families", "user__full_name", "id")
    )


def caseload_under_protection(staff: StaffMember) -> bool:
    """Whether a family of the staff member's current caseload in a school is under child protection (SCH-A2): a child
    with child-protection status, or a protection source's record (an open safeguarding concern)."""
    from . import rules

    by_setting: dict[Setting, list[Family]] = {}
    for a in current_allocations().filter(staff=staff, setting__kind=SettingKind.SCHOOL).select_related("setting", "family"):
        by_setting.setdefault(a.setting, []).append(a.family)
    return any(
        f.child_protection for setting, families in by_setting.items() for f in rules.family_facts(families, setting).values()
    )


def allocation_history(family: Family) -> QuerySet[KeyWorkerAllocation]:
    return family.allocations.select_related("staff__user", "setting", "allocated_by", "ended_by").order_by("-starts_at", "-id")


def access_allocation(actor: Actor, allocation_id: int) -> KeyWorkerAllocation:
    allocation = (
        KeyWorkerAllocation.objects.filter(pk=allocation_id, family__in=families_visible_to(actor).values("id"))
        .select_related("family", "setting", "staff__user")
        .first()
    )
    if allocation is None:
        raise Http404("No such allocation")
    return allocation


def staff_with_details(qs: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """Roles, class teams and current caseload size in a fixed number of queries."""
    return qs.select_related("user").prefetch_related(
        Prefetch("staff_roles", queryset=StaffRole.objects.select_related("role", "setting")),
        Prefetch("group_memberships", queryset=GroupMembership.objects.select_related("group")),
    ).annotate(caseload=_current_caseload())


def _current_caseload():
    """Current families per staff member as a correlated subquery (served by allocation_current_staff_idx):
    a join with GROUP BY would aggregate every allocation of the organisation before the page is cut."""
    current = current_allocations().filter(staff=OuterRef("pk"))
    return Coalesce(Subquery(current.order_by().values("staff").annotate(n=Count("id")).values("n")), 0)


def access_staff(actor: Actor, staff_id: int) -> StaffMember:
    staff = staff_with_details(staff_visible_to(actor)).filter(pk=staff_id).first()
    if staff is None:
        raise Http404("No such staff member")
    return staff


@dataclass
class ProposalRow:
    """One family without a key worker on the "allocate everyone" page: who is proposed, and who else may be."""

    family: Family
    children: list[Child]
    child_protection: bool
    options: list[StaffMember]
    proposed: StaffMember | None
    caseload_after: int | None
    reason: str
    teacher_ids: frozenset[int] = frozenset()


@dataclass
class SettingProposal:
    setting: Setting
    rows: list[ProposalRow]
    loads: dict[int, int]  # staff id -> families in the setting once the proposal is applied


def setting_proposal(actor: Actor, setting: Setting) -> SettingProposal:
    """A key worker proposed for every family of the setting without one (proposals.propose), in a fixed number of
    queries: the families and their children (2), the rules' facts (1, and 1 per protection source), the class teams
    (2) and the team's caseloads (1)."""
    from . import proposals, rules

    # Only what the rows show (a school's first day has thousands of children: whole rows would double the time).
    in_setting = (
        Child.objects.filter(setting=setting, left_on__isnull=True).select_related("group")
        .only("id", "family_id", "group_id", "legal_first_name", "legal_last_name", "preferred_name", "group__name")
        .order_by("legal_last_name", "legal_first_name", "id")
    )
    families = list(
        unallocated_families(actor, setting).only("id", "name", "organisation_id")
        .prefetch_related(Prefetch("children", queryset=in_setting, to_attr="in_setting")).order_by("name", "id")
    )
    if not families:
        return SettingProposal(setting, [], {})
    facts = rules.family_facts(families, setting)
    staff_facts = rules.SettingStaffFacts.for_families(setting, facts.values())
    counts = dict(
        current_allocations().filter(setting=setting, staff_id__in=list(staff_facts.staff)).order_by()
        .values("staff_id").annotate(n=Count("id")).values_list("staff_id", "n")
    )
    workers = {
        pk: proposals.Worker(
            id=pk, name=s.user.full_name, groups=frozenset(staff_facts.groups.get(pk, ())),
            eligible=_may_be_key_worker(setting, staff_facts.eligibility.get(pk, set())),
            teacher=rules.is_teacher(pk, staff_facts), caseload=counts.get(pk, 0),
        )
        for pk, s in staff_facts.staff.items()
    }
    group_names: dict[int, str] = {}
    needs = []
    for f in families:
        groups: list[int] = []
        for c in f.in_setting:
            if c.group_id and c.group_id not in groups:
                group_names[c.group_id] = c.group.name
                groups.append(c.group_id)
        groups.sort(key=lambda g: group_names[g])
        needs.append(proposals.Need(f.pk, f.name, tuple(groups), facts[f.pk].child_protection))
    proposed = proposals.propose(needs, workers, school=setting.is_school, group_names=group_names, setting_name=setting.name)
    loads = proposals.loads_after(proposed, workers)
    rows = []
    for f, p in zip(families, proposed, strict=True):
        rows.append(ProposalRow(
            family=f, children=f.in_setting, child_protection=facts[f.pk].child_protection and setting.is_school,
            options=[staff_facts.staff[pk] for pk in p.options],
            proposed=staff_facts.staff.get(p.staff_id) if p.staff_id else None,
            caseload_after=loads.get(p.staff_id) if p.staff_id else None, reason=p.reason,
            teacher_ids=frozenset(pk for pk in p.options if workers[pk].teacher),
        ))
    return SettingProposal(setting, rows, loads)


def _may_be_key_worker(setting: Setting, held: set[str]) -> bool:
    if setting.is_school:
        return bool(held & {KeyWorkerEligibility.TEACHER, KeyWorkerEligibility.ASSISTANT})
    return KeyWorkerEligibility.PRACTITIONER in held
