"""Allocating a key worker is evidence for SCH-A1: its obligation turns met in the same request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.caseload.services import allocation_assign
from keyworker.core import clock
from keyworker.standards import engine
from keyworker.standards.models import Obligation
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import make_child, make_family

pytestmark = pytest.mark.django_db


def sch_a1(family):
    return Obligation.objects.get(standard__clause="SCH-A1", family=family)


def test_allocating_meets_sch_a1_at_once_with_a_bounded_number_of_queries(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=clock.today())
    newcomer = make_family(world.org, "The New family")
    make_child(newcomer, world.school, world.class_a, enrolled_on=clock.today())
    engine.recompute(organisation_id=world.org.pk, as_of=clock.today())
    assert sch_a1(newcomer).state != "met"
    with CaptureQueriesContext(connection) as ctx:
        allocation_assign(actor=world.actor(world.headteacher), family=newcomer, setting=world.school, staff=world.ta_a, reason="New family")
    assert sch_a1(newcomer).state == "met"
    assert len(ctx.captured_queries) <= 40
    # The family's other open obligations now name the new key worker.
    assert set(Obligation.objects.filter(family=newcomer, state__in=["upcoming", "due_soon", "overdue", "escalated"])
               .values_list("responsible_staff_id", flat=True)) <= {world.ta_a.pk, None}
