"""The demo school's data checks: this half term partly done, varied per class, corrections waiting."""

import pytest

from keyworker.accounts.models import User
from keyworker.demo import builder
from keyworker.organisations.models import Organisation
from keyworker.people.models import Carer, KeyAspectChange
from keyworker.standards.models import Obligation, ObligationState

from ..demo import demo_history
from ..models import CheckState, Correction, CorrectionState, DataCheck
from ..selectors import progress, waiting_corrections
from ..services import correction_apply

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built_demo(django_db_blocker, django_db_setup):
    """Built once for the module (in a transaction rolled back at its end); each test's changes are rolled back."""
    from conftest import built_once

    with built_once(django_db_blocker, builder.build) as built:
        yield built


@pytest.fixture
def demo(built_demo, clock):
    return built_demo


def test_the_demo_school_has_this_half_terms_checks_partly_done(demo):
    from keyworker.accounts.access import actor_for

    school = Organisation.objects.get(slug=builder.SCHOOL_SLUG)
    admin = User.objects.get(email=next(s.email for s in demo.sign_ins if s.role == "Admin office"))
    actor = actor_for(admin, school.pk)
    figures = progress(actor, builder_today())
    assert figures.totals.children == 120
    assert 0 < figures.totals.complete < figures.totals.carer_confirmed < figures.totals.children
    shares = {round(r.carer_confirmed / r.children, 1) for r in figures.rows}
    assert len(shares) >= 4  # classes are at different points
    # Completed checks meet SCH-2 for their children.
    complete = DataCheck.objects.filter(organisation=school, state=CheckState.COMPLETE).first()
    assert Obligation.objects.get(standard__clause="SCH-2", child=complete.child_id,
                                  period_start=complete.half_term.starts_on).state == ObligationState.MET
    # Key aspects corrections were applied through the people services, by the admin office.
    applied = Correction.objects.filter(organisation=school, state=CorrectionState.APPLIED)
    assert applied.count() == 2
    for c in applied:
        assert KeyAspectChange.objects.filter(child=c.child_id, field=c.field, after=c.proposed_value, changed_by=admin).exists()

    waiting = list(waiting_corrections(actor))
    assert len(waiting) == 5  # four a key worker recorded, one a carer sent from the carers' portal
    assert [c.field for c in waiting if c.proposed_by_carer_id] == ["phone"]
    phone = next(c for c in waiting if c.field == "phone" and not c.proposed_by_carer_id)
    correction_apply(actor=actor, correction=phone)
    assert Carer.objects.get(pk=phone.carer_id).phone == "07700 900481"
    assert Correction.objects.get(pk=phone.pk).state == CorrectionState.APPLIED


def test_the_demo_is_deterministic(demo):
    school = Organisation.objects.get(slug=builder.SCHOOL_SLUG)
    # The check a carer confirmed in the portal is written by its own history (portal_demo_history).
    DataCheck.objects.filter(organisation=school, carer_method="portal").delete()
    before = list(DataCheck.objects.filter(organisation=school).order_by("child_id").values_list("child_id", "state", "carer_confirmed_on"))
    DataCheck.objects.filter(organisation=school).delete()
    demo_history(organisation=school)
    after = list(DataCheck.objects.filter(organisation=school).order_by("child_id").values_list("child_id", "state", "carer_confirmed_on"))
    assert before == after


def builder_today():
    from keyworker.core import clock

    return clock.today()
