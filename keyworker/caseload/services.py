"""Writes for key worker allocation: assign, reassign, end, reassign a whole caseload, child-protection status."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Setting
from keyworker.people.models import CHILD_PROTECTION_STATUSES, Child, Family, ProtectionStatus

from . import policies, rules
from .models import KeyWorkerAllocation


def _check_same_organisation(*objs) -> None:
    orgs = {o.organisation_id for o in objs}
    if len(orgs) != 1:
        raise RuleViolation("These records belong to different organisations.", rule="tenancy")


def _refresh_obligations(organisation_id: int, family_ids: set[int], setting: Setting, actor: Actor | None) -> None:
    """The families' obligations follow their key worker at once (responsible staff, SCH-A1 met)."""
    from keyworker.standards.obligations import obligations_refresh

    obligations_refresh(organisation_id=organisation_id, family_ids=family_ids, as_of=clock.today(setting.time_zone), actor=actor)


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise RuleViolation("Give a reason (at least a few words): it is kept in the allocation history.", rule="reason", field=field)
    return reason


@transaction.atomic
def allocation_assign(
    *, actor: Actor, family: Family, setting: Setting, staff: StaffMember, reason: str
) -> KeyWorkerAllocation:
    """Make `staff` the family's key worker in `setting`, ending any current allocation there."""
    _check_same_organisation(family, setting, staff)
    if family.organisation_id != actor.organisation_id:
        raise RuleViolation("Family not found.", rule="tenancy")
    policies.require_allocate(actor, setting.pk)
    reason = _require_reason(reason)
    facts = rules.family_facts([family], setting)[family.pk]
    setting_facts = rules.SettingStaffFacts.for_families(setting, [facts], staff_ids=[staff.pk])
    refused = rules.refusals(staff, facts, setting_facts)
    if refused:
        raise RuleViolation(refused[0].message, rule=refused[0].rule, field="staff")
    now = clock.now()
    # Lock the current row so that two leaders assigning at once cannot both win.
    current = (
        KeyWorkerAllocation.objects.select_for_update()
        .filter(family=family, setting=setting, ends_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.staff_id == staff.pk:
            raise RuleViolation(f"{staff} is already this family's {setting.key_worker_label}.", rule="unchanged", field="staff")
        current.ends_at = now
        current.end_reason = reason
        current.ended_by = actor.user
        current.save(update_fields=["ends_at", "end_reason", "ended_by"])
    try:
        with transaction.atomic():
            allocation = KeyWorkerAllocation.objects.create(
                organisation_id=family.organisation_id,
                family=family,
                setting=setting,
                staff=staff,
                starts_at=now,
                reason=reason,
                allocated_by=actor.user,
            )
    except IntegrityError as exc:
        raise RuleViolation(
            "Someone else changed this family's key worker at the same moment; reload and try again.", rule="conflict"
        ) from exc
    _refresh_obligations(family.organisation_id, {family.pk}, setting, actor)
    audit_record(
        organisation_id=family.organisation_id,
        actor=actor.user,
        event_type="allocation.reassigned" if current else "allocation.assigned",
        obj=allocation,
        summary=f"{staff} is now {setting.key_worker_label} for {family}" + (f" (was {current.staff})" if current else ""),
        data={"family": family.pk, "setting": setting.pk, "staff": staff.pk, "previous_staff": current.staff_id if current else None, "reason": reason},
    )
    return allocation


@transaction.atomic
def allocation_end(*, actor: Actor, allocation: KeyWorkerAllocation, reason: str) -> KeyWorkerAllocation:
    """End an allocation; the family becomes unallocated in that setting."""
    if allocation.organisation_id != actor.organisation_id:
        raise RuleViolation("Allocation not found.", rule="tenancy")
    policies.require_allocate(actor, allocation.setting_id)
    reason = _require_reason(reason)
    if allocation.ends_at is not None:
        raise RuleViolation("This allocation has already ended.", rule="ended")
    allocation.ends_at = clock.now()
    allocation.end_reason = reason
    allocation.ended_by = actor.user
    allocation.save(update_fields=["ends_at", "end_reason", "ended_by"])
    _refresh_obligations(allocation.organisation_id, {allocation.family_id}, allocation.setting, actor)
    audit_record(
        organisation_id=allocation.organisation_id, actor=actor.user, event_type="allocation.ended", obj=allocation,
        summary=f"{allocation.staff} is no longer key worker for {allocation.family}", data={"reason": reason},
    )
    return allocation


@dataclass
class ReassignOutcome:
    family: Family
    setting: Setting
    moved_to: StaffMember | None
    message: str


CLASS_TEACHER = "class_teacher"


@transaction.atomic
def caseload_reassign(
    *, actor: Actor, from_staff: StaffMember, to_staff: StaffMember | None, reason: str
) -> list[ReassignOutcome]:
    """Move every current family of `from_staff` to `to_staff`, or (None) to a teacher of the child's class.

    Families that the rules refuse stay where they are and are reported, each with the reason.
    """
    if from_staff.organisation_id != actor.organisation_id or (to_staff and to_staff.organisation_id != actor.organisation_id):
        raise RuleViolation("Staff member not found.", rule="tenancy")
    reason = _require_reason(reason)
    if to_staff is not None and to_staff.pk == from_staff.pk:
        raise RuleViolation("Choose a different staff member to take over the caseload.", rule="unchanged", field="to_staff")
    current = list(
        KeyWorkerAllocation.objects.select_for_update()
        .filter(staff=from_staff, ends_at__isnull=True)
        .select_related("family", "setting")
    )
    outcomes: list[ReassignOutcome] = []
    by_setting: dict[int, list[KeyWorkerAllocation]] = {}
    for a in current:
        by_setting.setdefault(a.setting_id, []).append(a)
    now = clock.now()
    new_rows = []
    for allocations in by_setting.values():
        setting = allocations[0].setting
        if not policies.can_allocate(actor, setting.pk):
            outcomes += [ReassignOutcome(a.family, setting, None, "You may not manage allocations in this setting.") for a in allocations]
            continue
        facts = rules.family_facts([a.family for a in allocations], setting)
        setting_facts = rules.SettingStaffFacts.for_families(setting, facts.values(), staff_ids=[to_staff.pk] if to_staff else [])
        for a in allocations:
            f = facts[a.family_id]
            if to_staff is not None:
                target, refused = to_staff, rules.refusals(to_staff, f, setting_facts)
            else:
                options = [s for s in rules.candidates(f, setting_facts) if s.pk != from_staff.pk and rules.is_teacher(s.pk, setting_facts)]
                target = options[0] if options else None
                refused = [] if target else [rules.Refusal("no_teacher", "No other teacher of this family's classes is available.")]
            if refused:
                outcomes.append(ReassignOutcome(a.family, setting, None, refused[0].message))
                continue
            a.ends_at, a.end_reason, a.ended_by = now, reason, actor.user
            new_rows.append(KeyWorkerAllocation(
                organisation_id=a.organisation_id, family=a.family, setting=setting, staff=target,
                starts_at=now, reason=reason, allocated_by=actor.user,
            ))
            outcomes.append(ReassignOutcome(a.family, setting, target, f"Moved to {target}."))
    ended = [a for a in current if a.ends_at is not None]
    KeyWorkerAllocation.objects.bulk_update(ended, ["ends_at", "end_reason", "ended_by"])
    KeyWorkerAllocation.objects.bulk_create(new_rows)
    if ended:
        _refresh_obligations(from_staff.organisation_id, {a.family_id for a in ended}, ended[0].setting, actor)
    audit_record(
        organisation_id=from_staff.organisation_id, actor=actor.user, event_type="caseload.reassigned", obj=from_staff,
        summary=f"Caseload of {from_staff}: {len(new_rows)} moved, {len(current) - len(new_rows)} stayed",
        data={"reason": reason, "to_staff": to_staff.pk if to_staff else CLASS_TEACHER},
    )
    return outcomes


@transaction.atomic
def staff_leave(*, actor: Actor, staff: StaffMember, left_on, reason: str) -> int:
    """Mark a staff member as left; their families become unallocated (a visible gap). Returns how many."""
    if staff.organisation_id != actor.organisation_id:
        raise RuleViolation("Staff member not found.", rule="tenancy")
    policies.require_manage_staff(actor)
    reason = _require_reason(reason)
    staff.is_active = False
    staff.left_on = left_on
    staff.save(update_fields=["is_active", "left_on"])
    leaving = KeyWorkerAllocation.objects.filter(staff=staff, ends_at__isnull=True).select_related("setting")
    affected = {(a.family_id, a.setting) for a in leaving}
    n = leaving.update(
        ends_at=clock.now(), end_reason=f"Staff member left: {reason}", ended_by=actor.user
    )
    for setting in {s for _, s in affected}:
        _refresh_obligations(staff.organisation_id, {f for f, s in affected if s == setting}, setting, actor)
    audit_record(
        organisation_id=staff.organisation_id, actor=actor.user, event_type="staff.left", obj=staff,
        summary=f"{staff} left; {n} families now need a key worker", data={"reason": reason},
    )
    return n


@transaction.atomic
def child_protection_status_set(*, actor: Actor | None, child: Child, status: str) -> list[KeyWorkerAllocation]:
    """Set a child's protection status. Under SCH-A2, flag the family's allocations whose key worker is not a teacher.

    Returns the allocations that are now flagged. (The safeguarding workflow will call this.)
    """
    if actor is not None:
        if child.organisation_id != actor.organisation_id:
            raise RuleViolation("Child not found.", rule="tenancy")
        policies.require_protection_status(actor)
    if status not in ProtectionStatus.values:
        raise RuleViolation("Unknown protection status.", rule="status", field="status")
    child.protection_status = status
    child.save(update_fields=["protection_status"])
    flagged: list[KeyWorkerAllocation] = []
    current = list(KeyWorkerAllocation.objects.filter(family_id=child.family_id, ends_at__isnull=True).select_related("setting"))
    protected = Child.objects.filter(
        family_id=child.family_id, protection_status__in=CHILD_PROTECTION_STATUSES, left_on__isnull=True
    ).exists()
    for allocation in current:
        if not allocation.setting.is_school:
            continue
        facts = rules.SettingStaffFacts.load(allocation.setting, group_ids=[], staff_ids=[allocation.staff_id])
        needs_teacher = protected and not rules.is_teacher(allocation.staff_id, facts)
        if needs_teacher and allocation.needs_teacher_since is None:
            allocation.needs_teacher_since = clock.now()
            allocation.save(update_fields=["needs_teacher_since"])
        elif not needs_teacher and allocation.needs_teacher_since is not None:
            allocation.needs_teacher_since = None
            allocation.save(update_fields=["needs_teacher_since"])
        if allocation.needs_teacher_since:
            flagged.append(allocation)
    audit_record(
        organisation_id=child.organisation_id, actor=actor.user if actor else None, event_type="child.protection_status",
        obj=child, summary=f"Protection status of {child} set to {ProtectionStatus(status).label}",
    )
    return flagged


class RowsRefused(RuleViolation):
    """Some rows of an "allocate everyone" are refused: nothing was saved. `rows`: family id -> why."""

    def __init__(self, rows: dict[int, str]):
        n = len(rows)
        super().__init__(
            f"{n} row{'' if n == 1 else 's'} cannot be saved as chosen, so nothing was saved: see each row.", rule="rows",
            field="rows",
        )
        self.rows = rows


@dataclass
class AssignManyResult:
    allocated: list[KeyWorkerAllocation]
    skipped: list[tuple[Family, str]]  # families that someone else allocated meanwhile, with what happened


@transaction.atomic
def allocation_assign_many(
    *, actor: Actor, setting: Setting, choices: dict[int, int | None], reason: str
) -> AssignManyResult:
    """Allocate many families of `setting` at once: `choices` maps each family id to the chosen staff id (None: leave
    the family unallocated). All or nothing: every row is checked against the rules again, and any refusal (a staff
    member who left, a family the actor may not see, a choice the rules refuse) raises RowsRefused, one message per
    row. Families that someone else allocated meanwhile are skipped and reported. One audit event per family, one
    refresh of obligations for them all; a fixed number of queries whatever the number of rows.
    """
    from keyworker.core.audit import AuditEvent
    from keyworker.people.selectors import families_visible_to

    if setting.organisation_id != actor.organisation_id:
        raise RuleViolation("Setting not found.", rule="tenancy")
    policies.require_allocate(actor, setting.pk)
    reason = _require_reason(reason)
    wanted = {int(f): int(s) for f, s in choices.items() if s not in (None, "")}
    if not wanted:
        raise RuleViolation("Choose a key worker for at least one family.", rule="empty", field="rows")
    families = {
        f.pk: f for f in families_visible_to(actor).filter(organisation_id=actor.organisation_id, pk__in=list(wanted))
    }
    errors: dict[int, str] = {fid: "No such family." for fid in wanted if fid not in families}
    # Lock the families' current allocations here: someone allocating one of them at the same time waits, then sees it.
    taken = {
        a.family_id: a for a in KeyWorkerAllocation.objects.select_for_update(of=("self",))
        .filter(setting=setting, family_id__in=list(families), ends_at__isnull=True)
        .select_related("staff__user", "allocated_by")
    }
    skipped = [
        (families[fid], f"{families[fid]} was given {taken[fid].staff} as {setting.key_worker_label} meanwhile"
         + (f" by {taken[fid].allocated_by}" if taken[fid].allocated_by else "") + ": left as it is.")
        for fid in sorted(taken, key=lambda i: (families[i].name, i))
    ]
    to_check = [families[fid] for fid in wanted if fid in families and fid not in taken]
    facts = rules.family_facts(to_check, setting) if to_check else {}
    staff_facts = rules.SettingStaffFacts.for_families(setting, facts.values(), staff_ids=set(wanted.values()))
    staff = {
        s.pk: s for s in StaffMember.objects.filter(organisation_id=actor.organisation_id, pk__in=set(wanted.values()))
        .select_related("user")
    }
    for family in to_check:
        chosen = staff.get(wanted[family.pk])
        if chosen is None:
            errors[family.pk] = "No such staff member."
            continue
        refused = rules.refusals(chosen, facts[family.pk], staff_facts)
        if refused:
            errors[family.pk] = refused[0].message
    if errors:
        raise RowsRefused(errors)
    now = clock.now()
    new_rows = [
        KeyWorkerAllocation(
            organisation_id=actor.organisation_id, family=f, setting=setting, staff=staff[wanted[f.pk]], starts_at=now,
            reason=reason, allocated_by=actor.user,
        )
        for f in to_check
    ]
    try:
        with transaction.atomic():
            created = KeyWorkerAllocation.objects.bulk_create(new_rows)
    except IntegrityError as exc:
        raise RuleViolation(
            "Someone else allocated some of these families at the same moment; reload and try again.", rule="conflict"
        ) from exc
    if created:
        _refresh_obligations(actor.organisation_id, {a.family_id for a in created}, setting, actor)
    user = actor.user if getattr(actor.user, "pk", None) else None
    AuditEvent.objects.bulk_create([
        AuditEvent(
            organisation_id=actor.organisation_id, actor=user, event_type="allocation.assigned",
            object_type=type(a).__name__, object_id=a.pk,
            summary=f"{a.staff} is now {setting.key_worker_label} for {a.family}"[:300],
            data={"family": a.family_id, "setting": setting.pk, "staff": a.staff_id, "previous_staff": None,
                  "reason": reason, "batch": True},
        )
        for a in created
    ])
    audit_record(
        organisation_id=actor.organisation_id, actor=actor.user, event_type="allocation.assigned_many", obj=setting,
        summary=f"{len(created)} famil{'y' if len(created) == 1 else 'ies'} given a {setting.key_worker_label} at {setting}"
        + (f"; {len(skipped)} allocated meanwhile by someone else" if skipped else ""),
        data={"reason": reason, "families": [a.family_id for a in created], "skipped": [f.pk for f, _ in skipped]},
    )
    return AssignManyResult(created, skipped)
