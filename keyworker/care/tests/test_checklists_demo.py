"""The demo: a new child whose enrolment misses two items, a first-week induction due on Friday, introductions done
and one waiting, chat sessions at the out of school club with one declined; the compliance clauses computed."""

import datetime as dt

import pytest

from keyworker.demo import builder
from keyworker.people.models import Child
from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState

from ..checklists import checklists_for
from ..models_checklists import ChatOutcome, ChatSession, ChecklistItem, ChecklistKind, Introduction
from ..plans_selectors import review_days

pytestmark = pytest.mark.django_db


def test_the_demo_has_new_children_introductions_and_chat_sessions(clock):
    builder.build()
    mila = Child.objects.get(organisation__slug=builder.GROUP_SLUG, legal_first_name="Mila", legal_last_name="Novak")
    monday = dt.date(2026, 11, 16)
    assert mila.enrolled_on == monday
    enrolment = checklists_for([mila], ChecklistKind.ENROLMENT)[mila.pk]
    assert [s.item.label for s in enrolment.missing] == ["Registration paperwork", "Funding form signed"]
    # Added last week, asked of the children who had started in the last 42 days too.
    emergency = ChecklistItem.objects.get(label="Emergency contacts checked")
    assert (emergency.added_on, emergency.applies_from) == (dt.date(2026, 11, 11), dt.date(2026, 10, 1))
    assert enrolment.state(emergency.code).done
    induction = Obligation.objects.get(child=mila, standard__clause="CC-K5")
    assert induction.state in OPEN_STATES and induction.due_on == dt.date(2026, 11, 20)  # Friday
    introductions = Introduction.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert introductions.count() == 2 and not introductions.filter(child=mila).exists()
    waiting = Obligation.objects.get(family=mila.family, standard__clause="CC-M1")
    assert waiting.state in OPEN_STATES
    assert Obligation.objects.filter(standard__clause="CC-M1", state=ObligationState.MET,
                                     organisation__slug=builder.GROUP_SLUG).count() == 2
    assert Obligation.objects.filter(standard__clause="CC-K1", state=ObligationState.MET,
                                     organisation__slug=builder.GROUP_SLUG).count() == 2
    sessions = ChatSession.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert sessions.count() == 5 and sessions.filter(outcome=ChatOutcome.DECLINED).count() == 1
    assert Obligation.objects.filter(standard__clause="CC-K6", state=ObligationState.MET,
                                     organisation__slug=builder.GROUP_SLUG).count() == 5
    # The early years setting chose 10 days for a family's request for a care plan review (14 elsewhere).
    days = review_days(organisation_id=mila.organisation_id)
    assert (days[mila.setting_id].request, days[sessions.first().setting_id].request) == (10, 14)
