"""The demo: the demo carer's Year 6 child has a plan with the dates shared and the first visit's write-up shared; the
family reads both in the portal; SCH-10 is computed from these records."""

import pytest
from django.test import Client

from keyworker.demo import builder
from keyworker.standards.models import Obligation, ObligationState

from ..models import TransitionPlan

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_transition_the_family_reads(clock):
    builder.build()
    plan = (TransitionPlan.objects.filter(organisation__slug=builder.SCHOOL_SLUG, shares__isnull=False)
            .select_related("family").distinct().get())
    assert plan.shares.exists()
    assert plan.visits.filter(shared_at__isnull=False).count() == 1
    met = Obligation.objects.filter(child=plan.child, state=ObligationState.MET)
    assert set(met.values_list("standard__clause", flat=True)) >= {"SCH-10a", "SCH-10b"}
    client = Client()
    from keyworker.people.models import Carer

    reader = Carer.objects.filter(family=plan.family, user__isnull=False).select_related("user").first().user
    client.force_login(reader)
    page = client.get(f"/family/transitions/{plan.pk}/")
    assert page.status_code == 200 and "science labs" in page.content.decode()
    assert TransitionPlan.objects.filter(organisation__slug=builder.SCHOOL_SLUG).count() >= 1
