"""Scopes: each persona sees exactly the families their roles allow, and nothing of another organisation."""

import pytest
from django.conf import settings
from django.http import Http404

from keyworker.accounts.access import actor_for
from keyworker.people.selectors import access_child, access_family, families_visible_to

pytestmark = pytest.mark.django_db


def names(actor):
    return set(families_visible_to(actor).values_list("name", flat=True))


ALL = {"The Adams family", "The Brown family", "The Cole family"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("headteacher", ALL),
        ("deputy", ALL),
        ("admin_office", ALL),
        ("teacher_a", {"The Adams family", "The Cole family"}),       # class A's families
        ("key_worker", {"The Adams family", "The Cole family"}),      # own caseload + class A
        ("teacher_b", {"The Brown family"}),
        ("safeguarding_lead", ALL),                                   # setting-wide
        ("outsider", {"The Zed family"}),
    ],
)
def test_families_visible_per_persona(world, persona, expected):
    assert names(world.actor(world.personas[persona])) == expected


def test_a_key_worker_sees_their_family_even_outside_their_class(world):
    from keyworker.testing import allocate, make_child, make_family

    far = make_family(world.org, "The Far family")
    make_child(far, world.school, world.class_b)
    allocate(far, world.school, world.ta_a)
    assert "The Far family" in names(world.actor(world.ta_a))


def test_outside_scope_is_404_not_403(world):
    outsider = world.actor(world.outsider)
    with pytest.raises(Http404):
        access_family(outsider, world.family_a.pk)
    with pytest.raises(Http404):
        access_child(outsider, world.child_a.pk)
    with pytest.raises(Http404):
        access_child(world.actor(world.teacher_b), world.child_a.pk)


def test_a_user_without_membership_sees_nothing(world, django_user_model):
    stranger = django_user_model.objects.create_user("nobody@example.org", "a-long-password", full_name="No Body")
    actor = actor_for(stranger)
    assert not actor.is_member
    assert names(actor) == set()


def test_a_person_in_two_organisations_sees_only_the_chosen_one(world):
    from keyworker.accounts.models import Role
    from keyworker.accounts.services import staff_save

    role = Role.objects.get(organisation=world.other_org, code="headteacher")
    from keyworker.organisations.models import Setting

    staff_save(actor=None, organisation=world.other_org, full_name=world.headteacher.user.full_name,
               email=world.headteacher.user.email, setting=Setting.objects.get(organisation=world.other_org), roles=[role], groups=[])
    assert names(actor_for(world.headteacher.user, world.org.pk)) == ALL
    assert names(actor_for(world.headteacher.user, world.other_org.pk)) == {"The Zed family"}


def test_a_left_staff_member_has_no_access(world):
    world.ta_a.is_active = False
    world.ta_a.save()
    assert names(actor_for(world.ta_a.user)) == set()


def test_capabilities_follow_roles(world):
    from keyworker.accounts import capabilities as caps

    assert world.actor(world.headteacher).can(caps.MANAGE_ALLOCATIONS)
    assert not world.actor(world.ta_a).can(caps.MANAGE_ALLOCATIONS)
    assert world.actor(world.admin_office).can(caps.RUN_IMPORTS)
    assert not world.actor(world.admin_office).can(caps.MANAGE_ALLOCATIONS)
    assert world.actor(world.safeguarding_lead).can(caps.SAFEGUARDING_TEAM)
    assert not world.actor(world.teacher_a).can(caps.SAFEGUARDING_TEAM)


def test_an_organisation_can_adjust_a_role(world):
    from keyworker.accounts import capabilities as caps
    from keyworker.accounts.models import Role

    role = Role.objects.get(organisation=world.org, code="teaching_assistant")
    role.capabilities = [*role.capabilities, caps.MANAGE_ALLOCATIONS]
    role.save()
    assert world.actor(world.ta_a).can(caps.MANAGE_ALLOCATIONS)
    # ... without touching the other organisation's role of the same name.
    assert Role.objects.get(organisation=world.other_org, code="teaching_assistant").capabilities != role.capabilities


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_a_setting_manager_sees_a_new_family_before_its_children_are_added(world):
    from keyworker.organisations.models import SettingKind
    from keyworker.testing import make_family, make_setting, make_staff

    nursery = make_setting(world.org, kind=SettingKind.EARLY_YEARS)
    manager = make_staff(world.org, nursery, ["manager"])
    make_family(world.org, "The New family")
    assert names(world.actor(manager)) == {"The New family"}
    assert "The New family" not in names(world.actor(world.ta_a))
