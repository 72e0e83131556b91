"""The demo's annual reviews: the key worker's review in 12 days (invitations sent, papers due, "All about my family"
not started) and another held with "All about my family" done and the booklet shared; every child with an EHCP has one."""

import datetime as dt

import pytest

from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import make_child

from .. import reviews
from ..models import AnnualReview, FamilyViewsState
from ..reviews_demo import demo_history
from .review_helpers import TODAY, ehcp

pytestmark = pytest.mark.django_db


def test_the_demo_reviews(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    ehcp(world.child_a)
    sibling = ehcp(make_child(world.family_a, world.school, world.class_a, legal_first_name="Amy"))
    ehcp(world.child_b)
    assert demo_history(organisation=world.org, today=TODAY) == 4
    coming = AnnualReview.objects.get(child=world.child_a)
    assert reviews.meeting_day(coming) == dt.date(2026, 11, 30) and coming.invitations_sent_on is not None
    assert coming.papers_circulated_on is None and coming.family_views.state == FamilyViewsState.NOT_STARTED
    held = AnnualReview.objects.get(child=sibling, held_on__isnull=False)
    assert AnnualReview.objects.get(child=sibling, held_on__isnull=True).due_by == reviews.next_due(held.held_on)
    assert held.held_on < TODAY and held.booklet_shared_at is not None and held.family_views.state == FamilyViewsState.DONE
    assert Obligation.objects.get(standard__clause="SCH-7", child=sibling).state == ObligationState.MET
    assert Obligation.objects.filter(standard__clause="SCH-R3", child=world.child_a, state=ObligationState.OVERDUE).exists()
    assert AnnualReview.objects.filter(child=world.child_b).exists()
