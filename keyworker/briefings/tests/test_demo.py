"""The demo's briefings: made through the real service, back-dated, some read and some waiting, the same each time."""

import datetime as dt

from keyworker.briefings.demo import demo_history
from keyworker.briefings.models import Briefing, BriefingRecipient, RecipientRole
from keyworker.people.models import KeyAspectChange
from keyworker.standards.models import Obligation
from keyworker.standards.services import policy_adopt_builtin


def _snapshot():
    return sorted(
        (b.child_id, b.created_at, tuple(sorted(b.items.values_list("change__field", flat=True))))
        for b in Briefing.objects.all()
    )


def test_demo_briefings_are_back_dated_and_mixed(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 11, 18))
    made = demo_history(organisation=world.org)
    assert made >= 4
    briefings = list(Briefing.objects.filter(organisation=world.org))
    assert all(b.created_at.date() < dt.date(2026, 11, 18) for b in briefings)
    assert all(c.changed_at.date() < dt.date(2026, 11, 18) for c in KeyAspectChange.objects.filter(organisation=world.org))
    kw_rows = BriefingRecipient.objects.filter(role=RecipientRole.KEY_WORKER)
    assert kw_rows.filter(acknowledged_at__isnull=True).exists() and kw_rows.filter(acknowledged_at__isnull=False).exists()
    states = set(Obligation.objects.filter(standard__clause="SCH-3").values_list("state", flat=True))
    assert "met" in states and states & {"overdue", "escalated", "due_soon", "upcoming"}
    # Nothing is left of the moment the changes were first made (today), before they were moved back.
    assert not Obligation.objects.filter(standard__clause="SCH-3", period_start=dt.date(2026, 11, 18)).exists()


def test_demo_briefings_are_deterministic(world, django_db_blocker):
    demo_history(organisation=world.org)
    first = _snapshot()
    Briefing.objects.all().delete()
    KeyAspectChange.objects.all().delete()
    from keyworker.people.models import KeyAspects

    KeyAspects.objects.update(allergies="", medical_needs="", behaviour_plan="", risk_assessments="", religion="",
                              outside_agencies="", family_circumstances="", first_language="English")
    demo_history(organisation=world.org)
    second = _snapshot()
    assert [(t, f) for _, t, f in first] == [(t, f) for _, t, f in second]
