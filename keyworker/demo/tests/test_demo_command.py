"""The demo command: the same demo every time, and a second run finds it built (these tests build their own)."""

import pytest
from django.core.management import call_command

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.demo import builder
from keyworker.organisations.models import Setting
from keyworker.people.models import Child

pytestmark = pytest.mark.django_db


def test_the_demo_is_deterministic(clock):
    first = builder.build()
    names = list(Child.objects.order_by("id").values_list("legal_first_name", "legal_last_name", "upn"))
    allocations = KeyWorkerAllocation.objects.count()
    builder.remove()
    second = builder.build()
    assert list(Child.objects.order_by("id").values_list("legal_first_name", "legal_last_name", "upn")) == names
    assert KeyWorkerAllocation.objects.count() == allocations
    assert [s.email for s in first.sign_ins] == [s.email for s in second.sign_ins]


def test_command_prints_the_sign_ins_and_is_idempotent(clock, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "Demo sign-ins (password for all: keyworker-demo)" in out and "Headteacher" in out
    call_command("demo")
    out = capsys.readouterr().out
    assert "already built" in out and "Headteacher" in out
    assert Setting.objects.filter(name="Brookfield Park School").count() == 1
