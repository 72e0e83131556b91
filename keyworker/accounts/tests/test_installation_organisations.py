"""The installation's administrator's page of organisations: a list and a form that adds one with its first setting
and its first leader, who is e-mailed a link to choose a password. Anyone else: 404."""

import pytest

from keyworker.accounts.installation_services import organisation_open
from keyworker.accounts.models import StaffMember, StaffRole, User
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Notification
from keyworker.organisations.models import Organisation, Setting

pytestmark = pytest.mark.django_db

URL = "/installation/organisations/"
FORM = {"name": "Ash Grove Nursery", "slug": "", "setting_name": "", "kind": "early_years", "jurisdiction": "wales",
        "time_zone": "Europe/London", "leader_name": "Mia Manager", "leader_email": "mia@ash.example.org"}


@pytest.fixture
def administrator(world):
    """The persona world's headteacher is also the installation's administrator."""
    user = world.headteacher.user
    user.is_superuser = user.is_staff = True
    user.save()
    return world.headteacher


def test_the_administrator_lists_and_adds_organisations(world, administrator, client_for):
    client = client_for(administrator)
    html = client.get(URL).content.decode()
    assert "<h1 id=\"organisations-h\">Organisations of this installation</h1>" in html
    assert f"<code>{world.org.slug}</code>" in html and world.other_org.name in html
    r = client.post(URL, FORM)
    assert r.status_code == 302 and r["Location"] == URL
    org = Organisation.objects.get(slug="ash-grove-nursery")
    setting = Setting.objects.get(organisation=org)
    assert (setting.name, setting.kind, setting.jurisdiction) == ("Ash Grove Nursery", "early_years", "wales")
    leader = StaffMember.objects.get(organisation=org)
    assert leader.user.email == "mia@ash.example.org" and not leader.user.has_usable_password()
    assert not leader.user.is_superuser
    assert [sr.role.code for sr in StaffRole.objects.filter(staff=leader)] == ["manager"]
    link = Notification.objects.get(recipient=leader.user, kind="account.password_set")
    assert "/accounts/password/" in link.link and "Ash Grove Nursery" in link.subject
    page = client.get(URL).content.decode()
    assert "Added Ash Grove Nursery (short name ash-grove-nursery)" in page and "e-mailed a link" in page


def test_mistakes_are_shown_on_their_fields(world, administrator, client_for):
    client = client_for(administrator)
    r = client.post(URL, {**FORM, "slug": world.org.slug, "leader_email": "nope", "jurisdiction": "france"})
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert "already the short name" in errors["slug"][0]
    assert "leader_email" in errors and "is not a jurisdiction" in errors["jurisdiction"][0]
    assert Organisation.objects.count() == 2


def test_someone_who_already_signs_in_keeps_their_password_and_is_told(world, administrator, client_for):
    client = client_for(administrator)
    client.post(URL, {**FORM, "kind": "school", "leader_email": world.outsider.user.email.upper()})
    org = Organisation.objects.get(slug="ash-grove-nursery")
    leader = StaffMember.objects.get(organisation=org)
    assert leader.user == world.outsider.user and leader.user.has_usable_password()
    assert [sr.role.code for sr in StaffRole.objects.filter(staff=leader)] == ["headteacher"]
    assert Notification.objects.filter(recipient=leader.user, kind="staff.added").exists()


@pytest.mark.parametrize("persona", ["headteacher", "admin_office", "outsider", "ta_a"])
def test_anyone_else_gets_a_404(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(URL).status_code == 404
    assert client.post(URL, FORM).status_code == 404
    assert not Organisation.objects.filter(slug="ash-grove-nursery").exists()
    assert "Organisations of this installation" not in client_for(world.admin_office).get("/setup/").content.decode()


def test_signed_out_is_sent_to_sign_in(world, client):
    assert client.get(URL)["Location"].startswith("/accounts/sign-in/")


def test_only_the_administrator_may_call_the_service(world):
    with pytest.raises(Exception, match="Only the installation's administrator"):
        organisation_open(by=world.headteacher.user, name="X", slug="x", setting_name="", kind="school",
                          jurisdiction="england", time_zone="Europe/London", leader_name="A", leader_email="a@example.org")


def test_a_failure_late_leaves_nothing_behind(world, administrator):
    with pytest.raises(RuleViolation):
        organisation_open(by=administrator.user, name="Elm School", slug="elm", setting_name="", kind="school",
                          jurisdiction="england", time_zone="Europe/London", leader_name="",
                          leader_email="new.person@example.org")
    assert not Organisation.objects.filter(slug="elm").exists()
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_the_page_keeps_to_a_fixed_number_of_queries(world, administrator, client_for, django_assert_max_num_queries):
    client = client_for(administrator)
    client.get(URL)
    for n in range(5):
        organisation_open(by=administrator.user, name=f"Elm {n}", slug=f"elm-{n}", setting_name="", kind="school",
                          jurisdiction="england", time_zone="Europe/London", leader_name="Ed Elm",
                          leader_email=f"ed{n}@example.org")
    with django_assert_max_num_queries(16):
        assert client.get(URL).status_code == 200
