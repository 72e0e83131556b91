"""The demo history: the agency directory, concerns in various states, and the demo key worker's follow-up this week."""

import datetime as dt

from keyworker.standards.models import Obligation
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import allocate, make_child, make_family
from keyworker.wellbeing import demo, panel
from keyworker.wellbeing.models import Agency, ConcernStatus, WellbeingConcern, WellbeingFollowUp

TODAY = dt.date(2026, 11, 18)


def _school(world):
    world.ta_a.user.email = demo.KEY_WORKER_EMAIL
    world.ta_a.user.save(update_fields=["email"])
    for i in range(8):
        fam = make_family(world.org)
        make_child(fam, world.school, world.class_a if i % 2 else world.class_b)
        allocate(fam, world.school, world.ta_a if i % 2 else world.teacher_b)
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY,
                         effective_from=dt.date(2026, 9, 1))  # in force since September, as in the demo
    return world


def _snapshot():
    return (
        list(Agency.objects.order_by("id").values_list("name", "phone", "areas")),
        list(WellbeingConcern.objects.order_by("id").values_list("family_id", "noticed_on", "status", "what_noticed",
                                                                   "follow_up_due_on")),
        list(WellbeingFollowUp.objects.order_by("id").values_list("kind", "happened_on", "agency__name", "follow_up_on")),
    )


def test_demo_history(world):
    _school(world)
    count = demo.demo_history(organisation=world.org, today=TODAY)
    assert count == WellbeingConcern.objects.count() == 6
    assert Agency.objects.count() == 10
    assert all(a.phone.startswith("01632 960") for a in Agency.objects.all())
    assert not Agency.objects.exclude(email="").exclude(email__contains="example.org").exists()
    assert set(WellbeingConcern.objects.values_list("status", flat=True)) == {ConcernStatus.OPEN, ConcernStatus.CLOSED}
    assert not WellbeingFollowUp.objects.filter(happened_on__gt=TODAY).exists()
    assert WellbeingConcern.objects.filter(last_follow_up_on__isnull=True).count() == 2
    built = panel.build(world.actor(world.ta_a), TODAY)
    assert built is not None and any(r.concern.follow_up_due_on == dt.date(2026, 11, 20) for r in built.rows)
    assert Obligation.objects.filter(standard__clause="SCH-9").count() == 6


def test_demo_history_is_deterministic(world):
    _school(world)
    demo.demo_history(organisation=world.org, today=TODAY)
    first = _snapshot()
    WellbeingFollowUp.objects.all().delete()
    WellbeingConcern.objects.all().delete()
    Agency.objects.all().delete()
    demo.demo_history(organisation=world.org, today=TODAY)
    assert _snapshot()[0] == first[0]
    assert [row[1:] for row in _snapshot()[1]] == [row[1:] for row in first[1]]
    assert _snapshot()[2] == first[2]
