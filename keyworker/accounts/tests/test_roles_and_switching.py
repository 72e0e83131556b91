"""Roles can be adjusted per organisation; people in two organisations switch between them."""

import pytest

from keyworker.accounts import capabilities as caps
from keyworker.accounts.models import Role, Scope
from keyworker.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_headteacher_widens_what_teaching_assistants_see(world, client_for):
    role = Role.objects.get(organisation=world.org, code="teaching_assistant")
    client = client_for(world.headteacher)
    assert "Teaching assistant" in client.get("/setup/roles/").content.decode()
    r = client.post(f"/setup/roles/{role.pk}/", {
        "name": "Teaching assistant", "scope": Scope.SETTING, "key_worker_eligibility": "assistant",
        "capabilities": [caps.VIEW_FAMILIES, caps.EDIT_KEY_ASPECTS],
    })
    assert r.status_code == 302
    html = client_for(world.ta_a).get("/families/all/").content.decode()
    assert "The Brown family" in html  # now the whole setting
    assert AuditEvent.objects.filter(event_type="role.updated", object_id=role.pk).exists()


def test_unknown_capabilities_and_scopes_are_refused(world, client_for):
    role = Role.objects.get(organisation=world.org, code="teacher")
    r = client_for(world.headteacher).post(f"/setup/roles/{role.pk}/", {
        "name": "Teacher", "scope": "galaxy", "key_worker_eligibility": "teacher", "capabilities": ["launch.rockets"],
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "Select a valid choice" in html


def test_roles_of_another_organisation_are_404(world, client_for):
    foreign = Role.objects.get(organisation=world.other_org, code="teacher")
    assert client_for(world.headteacher).get(f"/setup/roles/{foreign.pk}/").status_code == 404
    assert client_for(world.ta_a).get("/setup/roles/").status_code == 403


def test_switching_organisation(world, client_for):
    from keyworker.accounts.services import staff_save
    from keyworker.organisations.models import Setting

    staff_save(actor=None, organisation=world.other_org, full_name="Helen Head", email=world.headteacher.user.email,
               setting=Setting.objects.get(organisation=world.other_org),
               roles=[Role.objects.get(organisation=world.other_org, code="headteacher")], groups=[])
    client = client_for(world.headteacher)
    client.post("/accounts/organisation/", {"organisation": world.org.pk})
    html = client.get("/families/all/").content.decode()
    assert 'name="organisation"' in html and "The Adams family" in html
    client.post("/accounts/organisation/", {"organisation": world.other_org.pk})
    html = client.get("/families/all/").content.decode()
    assert "The Zed family" in html and "The Adams family" not in html
    # Not a member: 404, and the choice is unchanged.
    from keyworker.testing import make_org

    assert client.post("/accounts/organisation/", {"organisation": make_org().pk}).status_code == 404
    assert client.post("/accounts/organisation/", {"organisation": "x"}).status_code == 404
