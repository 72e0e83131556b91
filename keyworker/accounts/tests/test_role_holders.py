"""Who holds a role in a setting, and who leads it: one selector, one query, whatever the number of staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.accounts.capabilities import LEADS_SETTING, SAFEGUARDING_TEAM
from keyworker.accounts.policies import is_leader, led_setting_ids, led_settings
from keyworker.accounts.selectors import (
    holders_by_role,
    role_holders,
    safeguarding_team,
    setting_leaders,
    staff_holding,
)
from keyworker.testing import make_setting, make_staff

pytestmark = pytest.mark.django_db


def test_holders_of_a_role_by_setting_and_organisation_wide_in_one_query(world):
    with CaptureQueriesContext(connection) as queries:
        holders, users = holders_by_role(role_holders(world.org.pk, codes=["deputy_headteacher", "teacher"]))
    assert len(queries) == 1
    assert holders[(None, "deputy_headteacher")] == {world.deputy.user_id}
    assert holders[(world.school.pk, "teacher")] == {world.teacher_a.user_id, world.teacher_b.user_id}
    assert set(users) == {world.deputy.user_id, world.teacher_a.user_id, world.teacher_b.user_id}


def test_leavers_and_other_organisations_hold_nothing(world):
    world.teacher_b.is_active = False
    world.teacher_b.save(update_fields=["is_active"])
    staff = staff_holding(role_holders(world.org.pk, codes=["teacher", "headteacher"]))
    assert world.teacher_b not in staff and world.outsider not in staff
    assert world.teacher_a in staff and world.headteacher in staff


def test_a_settings_leaders_and_safeguarding_team_include_organisation_wide_roles_once(world):
    nursery = make_setting(world.org, name="Nursery")
    manager = make_staff(world.org, nursery, ["assistant_manager"], name="Mo Manager")
    assert setting_leaders(world.org.pk, world.school.pk) == [world.deputy, world.headteacher]
    assert setting_leaders(world.org.pk, nursery.pk) == [world.deputy, world.headteacher, manager]
    assert safeguarding_team(world.org.pk, world.school.pk) == [world.deputy, world.headteacher, world.safeguarding_lead]
    assert role_holders(world.org.pk, capability=SAFEGUARDING_TEAM, setting_ids=[nursery.pk], organisation_wide=False) == []


def test_leading_a_setting_is_asked_by_name(world):
    nursery = make_setting(world.org, name="Nursery")
    manager = make_staff(world.org, nursery, ["assistant_manager"], name="Mo Manager")
    head, lead, other = world.actor(world.headteacher), world.actor(manager), world.actor(world.teacher_a)
    assert led_setting_ids(head) is None and led_setting_ids(lead) == {nursery.pk} and led_setting_ids(other) == frozenset()
    assert is_leader(lead, nursery.pk) and not is_leader(lead, world.school.pk) and not is_leader(other)
    assert led_settings(lead) == [nursery] and led_settings(other) == []
    assert lead.can(LEADS_SETTING, nursery.pk)
