"""The demo school's safeguarding records: concerns from flagged contacts, a chronology, a child protection plan."""

import pytest

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import User
from keyworker.core import append_only
from keyworker.demo import builder
from keyworker.people.models import Child
from keyworker.safeguarding import selectors
from keyworker.safeguarding.demo import demo_history
from keyworker.safeguarding.models import Concern, ConcernAccess, ConcernChild, Entry

pytestmark = pytest.mark.django_db


def _snapshot():
    return [(c.category, c.child.legal_first_name, c.child.legal_last_name, c.what_happened, c.contact_id is not None)
            for c in Concern.objects.select_related("child").order_by("raised_at", "id")]


def test_demo_safeguarding_history(clock):
    demo = builder.build()
    concerns = Concern.objects.all()
    assert concerns.count() >= 4
    from keyworker.contacts.models import ContactLog

    assert concerns.filter(contact__isnull=False).count() == min(6, ContactLog.objects.filter(flagged_at__isnull=False).count())
    referral = Entry.objects.get(kind="referral")
    assert referral.reference.startswith("MASH-") and referral.agency == "childrens_services"
    assert Entry.objects.filter(kind="action").count() == 2 and Entry.objects.filter(kind="decision").count() == 1
    assert Child.objects.filter(protection_status="child_protection_plan").count() >= 1
    dsl = actor_for(User.objects.get(email=next(s.email for s in demo.sign_ins if s.role == "Safeguarding lead (TA4)")))
    board = selectors.dashboard(dsl, clock_today())
    assert len(board.new_concerns) == 2 and board.referrals and board.children
    first = _snapshot()
    org = Concern.objects.first().organisation
    with append_only.lifted(["safeguarding_concernaccess"]):  # the access log is append-only
        for model in (ConcernAccess, Entry, ConcernChild, Concern):
            model.objects.all().delete()
    demo_history(organisation=org)
    assert _snapshot() == first


def clock_today():
    from keyworker.core import clock

    return clock.today()
