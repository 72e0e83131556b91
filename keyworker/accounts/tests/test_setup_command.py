"""`keyworker setup`: an organisation, its first setting and its first leader from the command line; every mistake
named by its flag, a non-zero exit, and nothing half-created."""

import io

import pytest
from django.core.management import CommandError, call_command

from keyworker.accounts.models import Role, StaffMember, StaffRole, User
from keyworker.notifications.models import Notification
from keyworker.organisations.models import Organisation, Setting

pytestmark = pytest.mark.django_db

PASSPHRASE = "marble tugboat orchard lantern"
FLAGS = ["--organisation", "Oak Tree School", "--slug", "oak-school", "--kind", "school", "--jurisdiction", "england",
         "--time-zone", "Europe/London", "--setting", "Oak Tree Primary", "--admin-email", "helen@oak.example.org",
         "--admin-name", "Helen Head", "--no-input"]


def _run(*args) -> str:
    out = io.StringIO()
    call_command("setup", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _flags(**changes) -> list[str]:
    flags = list(FLAGS)
    for flag, value in changes.items():
        i = flags.index("--" + flag.replace("_", "-"))
        flags[i + 1] = value
    return flags


def test_a_new_installation_with_a_password_file(tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    out = _run(*FLAGS, "--admin-password-file", str(secret))
    org = Organisation.objects.get(slug="oak-school")
    setting = Setting.objects.get(organisation=org)
    assert (org.name, setting.name, setting.kind) == ("Oak Tree School", "Oak Tree Primary", "school")
    user = User.objects.get(email="helen@oak.example.org")
    assert user.is_superuser and user.check_password(PASSPHRASE)
    assert [sr.role.code for sr in StaffRole.objects.filter(staff__user=user)] == ["headteacher"]
    assert "Created Oak Tree School (short name oak-school)" in out
    assert "Helen Head <helen@oak.example.org> is its headteacher and the installation's administrator." in out
    assert not Notification.objects.exists()


def test_without_a_password_the_leader_gets_a_link_and_another_run_adds_an_organisation():
    _run(*FLAGS)
    helen = User.objects.get()
    assert not helen.has_usable_password()
    assert Notification.objects.get(recipient=helen).kind == "account.password_set"
    out = _run(*_flags(organisation="Acorn Childcare", slug="acorn", kind="early_years", setting="Acorn Nursery",
                       admin_email="mia@acorn.example.org", admin_name="Mia Manager"))
    mia = User.objects.get(email="mia@acorn.example.org")
    assert not mia.is_superuser and "installation's administrator" not in out
    assert [sr.role.code for sr in StaffRole.objects.filter(staff__user=mia)] == ["manager"]
    assert "manager" in out and "e-mailed a link" in out
    assert Role.objects.filter(organisation__slug="acorn", code="headteacher").exists()  # every default role
    assert Organisation.objects.count() == 2


def test_a_bad_kind_is_named_by_its_flag_and_nothing_is_created():
    with pytest.raises(CommandError) as refused:
        _run(*_flags(kind="castle", time_zone="Mars/Olympus", admin_email="nope"))
    message = str(refused.value)
    assert "Nothing was created" in message
    assert "--kind: “castle” is not a kind of setting: choose school, early_years, out_of_school_care or youth." in message
    assert "--time-zone: “Mars/Olympus” is not a known time zone" in message
    assert "--admin-email:" in message
    assert refused.value.returncode != 0
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_a_duplicate_slug_is_refused():
    _run(*FLAGS)
    with pytest.raises(CommandError, match="--slug: “oak-school” is already the short name of another organisation"):
        _run(*_flags(organisation="Oak Tree Nursery", admin_email="other@oak.example.org"))
    assert Organisation.objects.count() == 1 and User.objects.count() == 1


def test_a_weak_password_leaves_nothing_half_created(tmp_path):
    """The organisation and its roles and setting are made before the password is checked: all undone."""
    secret = tmp_path / "password"
    secret.write_text("password123456", encoding="utf-8")
    with pytest.raises(CommandError, match="--admin-password-file: .*too easy to guess"):
        _run(*FLAGS, "--admin-password-file", str(secret))
    assert not Organisation.objects.exists() and not Role.objects.exists() and not Setting.objects.exists()
    assert not User.objects.exists() and not StaffMember.objects.exists()


def test_missing_flags_without_a_terminal_are_errors():
    with pytest.raises(CommandError) as refused:
        _run("--no-input")
    message = str(refused.value)
    assert "--organisation: This field is required." in message and "--kind:" in message
    assert "--admin-email: Give the leader's e-mail address." in message


def test_missing_flags_are_asked_for_in_a_terminal(monkeypatch):
    answers = iter(["Elm Academy", "", "", "", "", "", "Ed Elm", "ed@elm.example.org"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "")
    out = _run()
    org = Organisation.objects.get()
    assert (org.name, org.slug) == ("Elm Academy", "elm-academy")
    assert Setting.objects.get().kind == "school"
    assert "e-mailed a link" in out
