"""Key worker allocation: the rules (SCH-A1, SCH-A2, CC-A1), history, reassigning, leaving, child protection."""

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.caseload.services import (
    allocation_assign,
    allocation_end,
    caseload_reassign,
    child_protection_status_set,
    staff_leave,
)
from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import SettingKind
from keyworker.people.models import ProtectionStatus
from keyworker.testing import allocate, make_child, make_family, make_group, make_setting, make_staff

pytestmark = pytest.mark.django_db


def current(family, setting):
    return KeyWorkerAllocation.objects.filter(family=family, setting=setting, ends_at__isnull=True)


def test_a_teaching_assistant_of_the_childs_class_can_be_key_worker(world):
    head = world.actor(world.headteacher)
    a = allocation_assign(actor=head, family=world.family_unallocated, setting=world.school, staff=world.ta_a, reason="New to Ash")
    assert a.staff == world.ta_a and a.allocated_by == world.headteacher.user and a.reason == "New to Ash"
    assert current(world.family_unallocated, world.school).count() == 1
    assert AuditEvent.objects.filter(event_type="allocation.assigned", object_id=a.pk).exists()


def test_staff_not_on_the_class_team_are_refused_with_the_rule(world):
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=world.family_unallocated, setting=world.school, staff=world.teacher_b, reason="Try")
    assert exc.value.rule == "class_team"
    assert "not on the class team" in exc.value.message
    assert not current(world.family_unallocated, world.school).exists()


def test_a_headteacher_is_not_eligible_to_be_key_worker(world):
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=world.family_unallocated, setting=world.school, staff=world.admin_office, reason="Try")
    assert exc.value.rule == "eligible_role"
    assert "SCH-A1" in exc.value.message


def test_child_protection_means_only_a_teacher(world):
    """SCH-A2: while a child of the family has child-protection status, a TA is refused and a teacher accepted."""
    world.child_b.protection_status = ProtectionStatus.CHILD_PROTECTION_PLAN
    world.child_b.save()
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=world.family_b, setting=world.school, staff=world.safeguarding_lead, reason="Cover")
    assert exc.value.rule == "teacher_for_child_protection"
    assert "must be a teacher (SCH-A2)" in exc.value.message
    assert current(world.family_b, world.school).get().staff == world.teacher_b  # unchanged


def test_early_help_status_does_not_restrict_the_key_worker(world):
    world.child_b.protection_status = ProtectionStatus.EARLY_HELP
    world.child_b.save()
    head = world.actor(world.headteacher)
    a = allocation_assign(actor=head, family=world.family_b, setting=world.school, staff=world.safeguarding_lead, reason="Cover")
    assert a.staff == world.safeguarding_lead


def test_reassigning_keeps_the_history(world):
    head = world.actor(world.headteacher)
    allocation_assign(actor=head, family=world.family_a, setting=world.school, staff=world.teacher_a, reason="TA moving class")
    rows = list(KeyWorkerAllocation.objects.filter(family=world.family_a).order_by("starts_at", "id"))
    assert [r.staff for r in rows] == [world.ta_a, world.teacher_a]
    assert rows[0].ends_at is not None and rows[0].end_reason == "TA moving class" and rows[0].ended_by == world.headteacher.user
    assert rows[1].ends_at is None


def test_assigning_the_same_key_worker_again_is_refused(world):
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=world.family_a, setting=world.school, staff=world.ta_a, reason="Again")
    assert exc.value.rule == "unchanged"


def test_a_reason_is_required(world):
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=world.family_unallocated, setting=world.school, staff=world.ta_a, reason="  ")
    assert exc.value.field == "reason"


def test_only_leaders_allocate(world):
    for staff in (world.ta_a, world.teacher_a, world.admin_office):
        with pytest.raises(PermissionDenied):
            allocation_assign(actor=world.actor(staff), family=world.family_unallocated, setting=world.school, staff=world.ta_a, reason="Mine")


def test_another_organisation_cannot_allocate_our_families(world):
    outsider = world.actor(world.outsider)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=outsider, family=world.family_unallocated, setting=world.school, staff=world.ta_a, reason="Take over")
    assert exc.value.rule == "tenancy"


def test_the_database_allows_one_current_key_worker_per_family_and_setting(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        allocate(world.family_a, world.school, world.teacher_a)


def test_ending_an_allocation_leaves_the_family_unallocated(world):
    head = world.actor(world.headteacher)
    a = current(world.family_a, world.school).get()
    allocation_end(actor=head, allocation=a, reason="Family moving away")
    assert not current(world.family_a, world.school).exists()
    with pytest.raises(RuleViolation):
        allocation_end(actor=head, allocation=a, reason="Again")


def test_reassigning_a_whole_caseload_reports_each_family(world):
    head = world.actor(world.headteacher)
    extra = make_family(world.org, "The Evans family")
    make_child(extra, world.school, world.class_b)  # class B: teacher_a is not on its team
    allocate(extra, world.school, world.ta_a)  # (an old allocation made before a class change)
    outcomes = caseload_reassign(actor=head, from_staff=world.ta_a, to_staff=world.teacher_a, reason="Leaving at Christmas")
    by_family = {o.family.name: o for o in outcomes}
    assert by_family["The Adams family"].moved_to == world.teacher_a
    assert by_family["The Evans family"].moved_to is None
    assert "not on the class team" in by_family["The Evans family"].message
    assert current(world.family_a, world.school).get().staff == world.teacher_a
    assert current(extra, world.school).get().staff == world.ta_a  # stayed, reported


def test_reassigning_a_caseload_to_each_class_teacher(world):
    head = world.actor(world.headteacher)
    outcomes = caseload_reassign(actor=head, from_staff=world.ta_a, to_staff=None, reason="New school year")
    assert [(o.family, o.moved_to) for o in outcomes] == [(world.family_a, world.teacher_a)]


def test_staff_leaving_makes_their_families_unallocated(world):
    import datetime as dt

    head = world.actor(world.headteacher)
    n = staff_leave(actor=head, staff=world.ta_a, left_on=dt.date(2026, 12, 18), reason="New job")
    assert n == 1
    world.ta_a.refresh_from_db()
    assert not world.ta_a.is_active
    assert not current(world.family_a, world.school).exists()
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=world.family_a, setting=world.school, staff=world.ta_a, reason="Back")
    assert exc.value.rule == "staff_left"


def test_setting_child_protection_status_flags_a_ta_key_worker_and_clearing_it_unflags(world):
    world.family_a.refresh_from_db()
    flagged = child_protection_status_set(actor=world.actor(world.safeguarding_lead), child=world.child_a,
                                          status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    assert [a.staff for a in flagged] == [world.ta_a]
    assert current(world.family_a, world.school).get().needs_teacher_since is not None
    # Reassigning to the class teacher resolves it.
    allocation_assign(actor=world.actor(world.headteacher), family=world.family_a, setting=world.school, staff=world.teacher_a, reason="SCH-A2")
    assert current(world.family_a, world.school).get().needs_teacher_since is None
    # And a TA-held family is unflagged when the status ends.
    world.child_b.protection_status = ""
    flagged = child_protection_status_set(actor=None, child=world.child_a, status="")
    assert flagged == []


def test_only_the_safeguarding_team_sets_protection_status(world):
    with pytest.raises(PermissionDenied):
        child_protection_status_set(actor=world.actor(world.teacher_a), child=world.child_a, status=ProtectionStatus.CHILD_IN_NEED)


def test_childcare_key_person_must_be_a_practitioner_of_the_room(world):
    nursery = make_setting(world.org, kind=SettingKind.EARLY_YEARS, name="Little Acorns")
    toddlers, preschool = make_group(nursery, "Toddlers", ""), make_group(nursery, "Pre-school", "")
    manager = make_staff(world.org, nursery, ["manager"])
    practitioner = make_staff(world.org, nursery, ["practitioner"], [toddlers])
    other_room = make_staff(world.org, nursery, ["practitioner"], [preschool])
    family = make_family(world.org)
    make_child(family, nursery, toddlers)
    actor = world.actor(manager)
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=actor, family=family, setting=nursery, staff=other_room, reason="Start")
    assert exc.value.rule == "class_team" and "room team" in exc.value.message and "key person" in exc.value.message
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=actor, family=family, setting=nursery, staff=world.teacher_a, reason="Start")
    assert exc.value.rule == "eligible_role" and "CC-A1" in exc.value.message
    assert allocation_assign(actor=actor, family=family, setting=nursery, staff=practitioner, reason="Start").staff == practitioner


def test_a_manager_of_one_setting_cannot_allocate_in_another(world):
    nursery = make_setting(world.org, kind=SettingKind.EARLY_YEARS)
    manager = make_staff(world.org, nursery, ["manager"])
    with pytest.raises(PermissionDenied):
        allocation_assign(actor=world.actor(manager), family=world.family_unallocated, setting=world.school, staff=world.ta_a, reason="x y z")
