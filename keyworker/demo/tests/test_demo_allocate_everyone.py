"""The demo's school leaves families without a key worker, so the head has something to allocate all at once."""

import pytest

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import User
from keyworker.caseload.selectors import setting_proposal
from keyworker.demo import builder
from keyworker.organisations.models import Setting

pytestmark = pytest.mark.django_db


def test_the_head_has_families_to_allocate_at_once(clock):
    demo = builder.build()
    head = actor_for(User.objects.get(email=next(s.email for s in demo.sign_ins if s.role == "Headteacher")))
    proposal = setting_proposal(head, Setting.objects.get(name="Brookfield Park School"))
    assert len(proposal.rows) >= 3
    assert sum(1 for r in proposal.rows if r.proposed) >= 3
    # The family under child protection is proposed a teacher, and offered no one else.
    [protected] = [r for r in proposal.rows if r.child_protection]
    assert protected.proposed and set(r.pk for r in protected.options) == set(protected.teacher_ids)
