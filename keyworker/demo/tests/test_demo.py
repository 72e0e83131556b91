"""The demo: what a newcomer sees after `keyworker demo`, built the same way every time."""

import pytest

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import User
from keyworker.caseload.selectors import my_families, unallocated_families
from keyworker.caseload.services import allocation_assign
from keyworker.core.errors import RuleViolation
from keyworker.demo import builder
from keyworker.organisations.models import Group, Setting
from keyworker.people.models import CHILD_PROTECTION_STATUSES, Carer, Child, Family

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built_demo(django_db_blocker, django_db_setup):
    """Built once for the module (in a transaction rolled back at its end); each test's changes are rolled back."""
    from conftest import built_once

    with built_once(django_db_blocker, builder.build) as built:
        yield built


@pytest.fixture
def demo(built_demo, clock):
    return built_demo


def by_role(demo, role):
    return User.objects.get(email=next(s.email for s in demo.sign_ins if s.role == role))


def test_school_and_childcare_group_are_built(demo):
    school = Setting.objects.get(name="Brookfield Park School")
    assert school.jurisdiction == "england"
    assert Child.objects.filter(setting=school).count() == 120
    assert Group.objects.filter(setting=school).count() == 12
    childcare = Setting.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert {s.kind for s in childcare} == {"early_years", "out_of_school_care", "youth"}
    assert {s.jurisdiction for s in childcare} == {"scotland"}
    # Siblings, several languages, preferred methods and restrictions.
    assert Family.objects.filter(organisation=school.organisation, children__isnull=False).distinct().count() < 120
    assert Carer.objects.filter(organisation=school.organisation).values("first_language").distinct().count() >= 5
    assert Carer.objects.filter(organisation=school.organisation).values("preferred_contact_method").distinct().count() >= 3
    assert Carer.objects.exclude(contact_restriction="").count() >= 2


def test_sign_ins_cover_each_persona(demo):
    roles = {s.role for s in demo.sign_ins}
    assert {"Headteacher", "Key worker (teaching assistant)", "Safeguarding lead (TA4)", "Admin office", "Manager (early years)"} <= roles
    for s in demo.sign_ins:
        assert User.objects.get(email=s.email).check_password(builder.PASSWORD)


def test_key_worker_has_families_and_headteacher_sees_gaps(demo):
    key_worker = actor_for(by_role(demo, "Key worker (teaching assistant)"))
    assert my_families(key_worker).count() >= 2
    head = actor_for(by_role(demo, "Headteacher"))
    school = Setting.objects.get(name="Brookfield Park School")
    assert unallocated_families(head, school).count() == 8


def test_allocating_a_ta_to_the_child_protection_family_is_refused(demo):
    head = actor_for(by_role(demo, "Headteacher"))
    school = Setting.objects.get(name="Brookfield Park School")
    family = unallocated_families(head, school).filter(children__protection_status__in=CHILD_PROTECTION_STATUSES).get()
    child = family.children.first()
    ta = child.group.memberships.filter(staff__staff_roles__role__code="teaching_assistant").first().staff
    with pytest.raises(RuleViolation) as exc:
        allocation_assign(actor=head, family=family, setting=school, staff=ta, reason="Try a TA")
    assert exc.value.rule == "teacher_for_child_protection"


def test_the_class_teacher_has_an_invitation_to_the_childcare_group_waiting(demo):
    from keyworker.accounts.models import StaffInvitation, StaffMember

    teacher = next(s for s in demo.sign_ins if s.role == "Class teacher")
    invitation = StaffInvitation.objects.get(user__email=teacher.email, status="pending")
    assert invitation.organisation.name == "Thistle Childcare Group"
    assert not StaffMember.objects.filter(user__email=teacher.email, organisation=invitation.organisation).exists()


def test_the_admin_office_sees_emails_that_did_not_go_out(demo, client):
    client.force_login(by_role(demo, "Admin office"))
    html = client.get("/inbox/deliveries/").content.decode()
    assert "Not delivered (2)" in html and "Waiting to be tried again (1)" in html and "does not exist" in html


def test_the_safeguarding_lead_has_an_api_token_on_their_account_page(demo, client):
    from keyworker.accounts.models import ApiToken

    token = ApiToken.objects.get()
    client.force_login(token.user)
    assert "Chronology export script" in client.get("/accounts/").content.decode()
