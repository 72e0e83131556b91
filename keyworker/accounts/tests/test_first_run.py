"""The first-run page: a new installation sends every page to /start/, which creates its administrator and first
organisation in one form, signs them in and lands on Setup; once anyone has an account it is a 404."""

import pytest

from keyworker.accounts.models import Role, StaffMember, StaffRole, User
from keyworker.organisations.models import Organisation, Setting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("new_installation")]

PASSPHRASE = "marble tugboat orchard lantern"

FORM = {
    "full_name": "Helen Head", "email": "Helen.Head@oak.example.org", "password": PASSPHRASE,
    "password_again": PASSPHRASE, "name": "Oak Tree Primary School", "slug": "", "setting_name": "",
    "kind": "school", "jurisdiction": "england", "time_zone": "Europe/London",
}


def test_a_new_installation_sends_every_page_to_the_first_run_page(client):
    for path in ("/", "/accounts/sign-in/", "/setup/", "/admin/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/start/", path
    r = client.get("/start/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>Set up Keyworker</h1>" in html and 'name="slug"' in html and "short-name.js" in html
    assert client.get("/api/v1/me/").status_code in (401, 403)  # the API answers as always


def test_the_first_run_creates_everything_signs_in_and_lands_on_setup(client, clock):
    r = client.post("/start/", FORM)
    assert r.status_code == 302 and r["Location"] == "/setup/"
    user = User.objects.get()
    assert user.email == "helen.head@oak.example.org" and user.is_superuser and user.is_staff
    assert user.check_password(PASSPHRASE)
    org = Organisation.objects.get()
    assert (org.name, org.slug) == ("Oak Tree Primary School", "oak-tree-primary-school")
    setting = Setting.objects.get(organisation=org)
    assert (setting.name, setting.kind, setting.jurisdiction) == ("Oak Tree Primary School", "school", "england")
    assert {"headteacher", "manager", "teacher"} <= set(Role.objects.filter(organisation=org).values_list("code", flat=True))
    staff = StaffMember.objects.get(user=user, organisation=org)
    assert [sr.role.code for sr in StaffRole.objects.filter(staff=staff, setting=setting)] == ["headteacher"]
    assert int(client.session["_auth_user_id"]) == user.pk
    # Signed in: the leader's next page is Setup's (after adding the second factor a headteacher needs).
    r = client.get("/setup/")
    assert r.status_code == 302 and "/accounts/second-factor/" in r["Location"]
    client.force_login(user)
    html = client.get("/setup/").content.decode()
    assert "Short name: <code>oak-tree-primary-school</code> (used by the keyworker commands" in html
    assert "Organisations of this installation" in html  # the administrator's link
    # Once anyone has an account the page is gone, for everyone.
    assert client.get("/start/").status_code == 404
    client.logout()
    assert client.get("/start/").status_code == 404
    assert client.get("/")["Location"].startswith("/accounts/sign-in/")


def test_a_childcare_first_setting_makes_the_administrator_its_manager(client):
    client.post("/start/", {**FORM, "name": "Acorn Childcare", "slug": "acorn", "setting_name": "Acorn Nursery",
                            "kind": "early_years", "jurisdiction": "scotland"})
    staff = StaffMember.objects.get()
    assert [sr.role.code for sr in staff.staff_roles.all()] == ["manager"]
    assert Setting.objects.get().name == "Acorn Nursery"
    assert Organisation.objects.get().slug == "acorn"


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"password_again": "something else entirely"}, "password_again", "not the same"),
    ({"password": "short", "password_again": "short"}, "password", "at least 12 characters"),
    ({"password": "helen head lantern x", "password_again": "helen head lantern x"}, "password", "your name"),
    ({"slug": "Oak School"}, "slug", "Use only small letters"),
    ({"kind": "castle"}, "kind", "is not a kind of setting"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "is not a known time zone"),
    ({"email": "not an address"}, "email", "valid email"),
    ({"name": ""}, "name", "required"),
])
def test_each_mistake_is_shown_on_its_field_and_nothing_is_created(client, change, field, message):
    r = client.post("/start/", {**FORM, **change})
    assert r.status_code == 400
    form = r.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    assert not User.objects.exists() and not Organisation.objects.exists()
    assert 'class="error-summary"' in r.content.decode()


def test_the_first_run_keeps_to_a_fixed_number_of_queries(client, django_assert_max_num_queries,
                                                         django_capture_on_commit_callbacks):
    with django_assert_max_num_queries(8):
        client.get("/start/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/start/", FORM)
    client.logout()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/sign-in/").status_code == 200
    # The check is remembered: no page asks whether anyone has an account any more.
    assert not [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
