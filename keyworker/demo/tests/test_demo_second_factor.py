"""The demo still signs in: its leaders have the printed authenticator app and recovery codes."""

import pytest
from django.core.management import call_command

from keyworker.accounts import mfa
from keyworker.accounts.models import User
from keyworker.demo import second_factor
from keyworker.demo.builder import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_headteacher_signs_in_with_the_printed_code(clock, client, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "KEYW ORKE RDEM OAPP" in out and "demo0001" in out
    head = next(line for line in out.splitlines() if line.strip().startswith("Headteacher"))
    email = head.split()[1]
    r = client.post("/accounts/sign-in/", {"username": email, "password": PASSWORD})
    assert client.get(r.url).url == "/accounts/second-factor/"
    call_command("demo", code=True)
    code = capsys.readouterr().out.strip()
    assert code == second_factor.code_now() and len(code) == 6
    assert client.post("/accounts/second-factor/", {"code": code}).url == "/"
    assert client.get("/").url == "/compliance/"


def test_key_workers_in_the_demo_are_not_asked(clock, client, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("Key worker (teaching assistant)"))
    email = next(word for word in line.split() if "@" in word)
    r = client.post("/accounts/sign-in/", {"username": email, "password": PASSWORD})
    assert client.get(r.url).url == "/my-week/"
    assert not mfa.has_second_factor(User.objects.get(email=email))
