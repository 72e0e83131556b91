"""The demo history: celebrations over the half terms, shared ones with their contact, a flagged family for the demo key worker."""

import datetime as dt

from keyworker.celebrations import demo, panel
from keyworker.celebrations.models import Celebration
from keyworker.contacts.models import ContactLog, Tone
from keyworker.testing import allocate, make_child, make_family

TODAY = dt.date(2026, 11, 18)


def _school(world):
    world.ta_a.user.email = demo.KEY_WORKER_EMAIL
    world.ta_a.user.save(update_fields=["email"])
    for i in range(6):
        fam = make_family(world.org)
        make_child(fam, world.school, world.class_a if i % 2 else world.class_b)
        allocate(fam, world.school, world.ta_a if i % 2 else world.teacher_b)
    # An earlier, cheerful contact with each of the key worker's families.
    for a in world.ta_a.allocations.all():
        ContactLog.objects.create(organisation=world.org, family=a.family, setting=world.school, author=world.ta_a,
                                  happened_on=dt.date(2026, 11, 2), channel="phone", tone="positive",
                                  write_up="A happy start to the half term at home.")
    return world


def test_demo_history(world):
    _school(world)
    count = demo.demo_history(organisation=world.org, today=TODAY)
    assert count == Celebration.objects.count() > 20
    kinds = set(Celebration.objects.values_list("kind", flat=True))
    assert {"star_of_the_week", "well_done_postcard", "dojo_points"} <= kinds
    assert not Celebration.objects.filter(celebrated_on__gt=TODAY).exists()
    shared = Celebration.objects.filter(shared_on__isnull=False)
    assert shared.exists() and not shared.filter(contact__isnull=True).exists()
    assert set(ContactLog.objects.filter(celebration__isnull=False).values_list("tone", flat=True)) == {Tone.CELEBRATION}
    flagged = panel.build(world.actor(world.ta_a), TODAY).families
    assert flagged and flagged[0].positivity.last_tones == (Tone.CONCERN,) * 3


def test_demo_history_is_deterministic(world):
    _school(world)
    demo.demo_history(organisation=world.org, today=TODAY)
    first = list(Celebration.objects.order_by("id").values_list("child_id", "kind", "celebrated_on", "title", "points", "shared_how"))
    Celebration.objects.all().delete()
    ContactLog.objects.filter(tone__in=[Tone.CELEBRATION, Tone.CONCERN]).delete()
    demo.demo_history(organisation=world.org, today=TODAY)
    second = list(Celebration.objects.order_by("id").values_list("child_id", "kind", "celebrated_on", "title", "points", "shared_how"))
    assert first == second
