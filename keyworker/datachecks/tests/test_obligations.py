"""SCH-2 end to end: the built-in school policy's half-termly data check turns met when a check completes."""

import datetime as dt

import pytest

from keyworker.standards.evidence import evidence_source
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

from ..models import Correction
from .helpers import carer_confirm

pytestmark = pytest.mark.django_db


def _sch2(world, child):
    return Obligation.objects.get(standard__clause="SCH-2", child=child, period_start=dt.date(2026, 11, 2))


def test_the_evidence_source_is_registered():
    source = evidence_source("data_check")
    assert source is not None and source.label == "A data check confirmed" and source.by_family


def test_sch2_is_met_in_the_request_that_completes_the_check(world, client_for):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 11, 18))
    obligation = _sch2(world, world.child_a)
    assert obligation.state != ObligationState.MET
    assert obligation.standard.responsible == "admin_office" and obligation.standard.escalate_to_roles == ["deputy_headteacher"]

    check = carer_confirm(world, differences=[(f"carer.{world.family_a.carers.first().pk}.phone", "07700 900456")])
    obligation.refresh_from_db()
    assert obligation.state != ObligationState.MET  # the admin office has not confirmed yet

    client = client_for(world.admin_office)
    correction = Correction.objects.get(data_check=check)
    assert client.post(f"/data-checks/corrections/{correction.pk}/apply/").status_code == 302
    response = client.post(f"/data-checks/{check.pk}/confirm/", {"note": ""})
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.MET
    assert obligation.met_on == dt.date(2026, 11, 18) and obligation.evidence_ref == f"datacheck:{check.pk}"
    # Only that child: the other children of the school still owe their check.
    assert _sch2(world, world.child_b).state != ObligationState.MET


def test_a_check_completed_in_the_previous_half_term_does_not_count_for_this_one(world, clock):
    from .helpers import complete

    clock.move_to(dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC))
    check = complete(world)
    assert check.half_term.name == "Autumn 1"
    clock.move_to(dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC))
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 11, 18))
    assert _sch2(world, world.child_a).state != ObligationState.MET
    # Autumn 1 ended before the policy was adopted: it asks nothing of it.
    assert not Obligation.objects.filter(standard__clause="SCH-2", child=world.child_a, period_start=dt.date(2026, 9, 2)).exists()
