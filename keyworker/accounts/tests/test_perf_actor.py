"""The acting member read in one query with their roles (plus their classes), and the same answer as before in every
case the single read cannot settle: several organisations, a chosen one, a membership with no role yet."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import Role, StaffMember, StaffRole
from keyworker.accounts.services import staff_save
from keyworker.organisations.models import Setting


def _second_membership(world, staff):
    role = Role.objects.get(organisation=world.other_org, code="teacher")
    staff_save(actor=None, organisation=world.other_org, full_name=staff.user.full_name, email=staff.user.email,
               setting=Setting.objects.get(organisation=world.other_org), roles=[role], groups=[])
    return StaffMember.objects.get(organisation=world.other_org, user=staff.user)


def test_one_membership_is_read_with_its_roles_in_two_queries(world):
    with CaptureQueriesContext(connection) as ctx:
        actor = actor_for(world.ta_a.user)
        assert actor.organisation.name == world.org.name and actor.staff.user == world.ta_a.user
    assert len(ctx.captured_queries) == 2, [q["sql"] for q in ctx.captured_queries]  # membership with roles; classes
    assert actor.staff == world.ta_a and actor.group_ids == {world.class_a.pk}
    assert {r.role.code for r in actor.roles} == {"teaching_assistant"}
    assert all(r.staff is actor.staff for r in actor.roles)
    # A stale organisation in the session (one they are not a member of) falls back to their only membership.
    assert actor_for(world.ta_a.user, world.other_org.pk).staff == world.ta_a


def test_two_organisations_the_chosen_one_else_the_first_by_name(world):
    other = _second_membership(world, world.ta_a)
    assert actor_for(world.ta_a.user, world.org.pk).staff == world.ta_a
    chosen = actor_for(world.ta_a.user, world.other_org.pk)
    assert chosen.staff == other and {r.role.code for r in chosen.roles} == {"teacher"}
    first = min([world.ta_a, other], key=lambda s: (s.organisation.name, s.pk))
    assert actor_for(world.ta_a.user).staff == first


def test_a_membership_without_roles_is_still_the_member(world):
    StaffRole.objects.filter(staff=world.ta_a).delete()
    actor = actor_for(world.ta_a.user)
    assert actor.staff == world.ta_a and actor.roles == []
    # Chosen, with no roles there while the other organisation's membership has one: still the chosen one.
    _second_membership(world, world.ta_a)
    assert actor_for(world.ta_a.user, world.org.pk).staff == world.ta_a


def test_a_left_membership_is_not_read(world):
    other = _second_membership(world, world.ta_a)
    world.ta_a.is_active = False
    world.ta_a.save()
    assert actor_for(world.ta_a.user, world.org.pk).staff == other
