"""CC-K3 and CC-C1 end to end: the childcare policy adopted, a review meets the term's CC-K3 obligation of the child,
and only a review that records whom the child chose meets CC-C1."""

import datetime as dt

import pytest

from keyworker.standards.evidence import evidence_source
from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

from ..models_plans import ChildChose
from ..plans_evidence import CARE_PLAN_CHILD_CHOSE, CARE_PLAN_REVIEW
from ..plans_services import care_plan_review_record, care_plan_save
from .plans_helpers import SECTIONS, make_club

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


def _obligations(clause, child):
    return list(Obligation.objects.filter(standard__clause=clause, child=child).order_by("period_start"))


def test_the_sources_are_registered():
    assert evidence_source(CARE_PLAN_REVIEW).by_family and evidence_source(CARE_PLAN_CHILD_CHOSE).by_family


def test_reviews_meet_cc_k3_and_cc_c1_only_with_the_childs_choice(world):
    club = make_club(world)
    policy_adopt_builtin(organisation=world.org, template_code="childcare_key_contact", as_of=TODAY)
    k3, c1 = _obligations("CC-K3", club.child), _obligations("CC-C1", club.child)
    assert k3 and c1 and k3[-1].state in OPEN_STATES and c1[-1].state in OPEN_STATES
    assert k3[-1].responsible_staff_id == club.key_contact.pk
    care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections=SECTIONS, as_of=dt.date(2026, 9, 10))
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 11, 2),
                            child_chose=ChildChose.NOT_RECORDED)
    assert _obligations("CC-K3", club.child)[-1].state == ObligationState.MET
    assert _obligations("CC-C1", club.child)[-1].state in OPEN_STATES
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=TODAY,
                            child_chose=ChildChose.STAFF, chosen_staff=club.other_staff, done_by=club.other_staff)
    c1 = _obligations("CC-C1", club.child)[-1]
    assert c1.state == ObligationState.MET and c1.met_on == TODAY and c1.evidence_ref.startswith("care-plan-review:")
