"""The demo: the demo carer's Year 6 child has a plan with the dates shared and the first visit's write-up shared; the
family reads both in the portal; SCH-10 is computed from these records."""

import pytest
from django.test import Client

from keyworker.accounts.models import User
from keyworker.demo import builder
from keyworker.standards.models import Obligation, ObligationState

from ..models import TransitionPlan

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_transition_the_family_reads(clock):
    builder.build()
    plan = TransitionPlan.objects.get(organisation__slug=builder.SCHOOL_SLUG, family__carers__email="parent@example.org")
    assert plan.shares.exists()
    assert plan.visits.filter(shared_at__isnull=False).count() == 1
    met = Obligation.objects.filter(child=plan.child, state=ObligationState.MET)
    assert set(met.values_list("standard__clause", flat=True)) >= {"SCH-10a", "SCH-10b"}
    client = Client()
    client.force_login(User.objects.get(email="parent@example.org"))
    page = client.get(f"/family/transitions/{plan.pk}/")
    assert page.status_code == 200 and "science labs" in page.content.decode()
    assert TransitionPlan.objects.filter(organisation__slug=builder.SCHOOL_SLUG).count() >= 1
