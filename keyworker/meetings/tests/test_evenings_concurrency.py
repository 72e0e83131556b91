"""Two bookings of the same slot at the same moment: exactly one wins, the other is told the slot has just been
booked. On PostgreSQL two threads race with their own connections; on SQLite (one writer at a time) two
transactions, the second started from the same stale read."""

import threading

import pytest
from django.db import connection, connections, transaction

from keyworker.core.errors import RuleViolation
from keyworker.meetings import evenings
from keyworker.meetings.evenings_models import EveningSlot

from .evening_helpers import open_evening, slots_of


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_in_two_transactions(clock):
    from keyworker.testing import make_world

    world = make_world()
    evening = open_evening(world)
    slot = slots_of(evening, world.teacher_a)[0]
    cole = world.family_unallocated.children.get()
    outcomes = []
    for child in (world.child_a, cole):
        try:
            with transaction.atomic():
                evenings.booking_create(by=None, slot=slot, child=child, carer=None)
            outcomes.append("won")
        except RuleViolation as exc:
            outcomes.append(exc.message)
    assert outcomes[0] == "won" and outcomes[1] == evenings.TAKEN
    assert EveningSlot.objects.filter(evening=evening, family__isnull=False).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a database with concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_threads_booking_the_same_slot_on_postgresql(clock):
    from keyworker.testing import make_family, make_world

    world = make_world()
    evening = open_evening(world)
    slot = slots_of(evening, world.teacher_a)[0]
    children = [world.family_unallocated.children.get()]
    for _ in range(5):
        fam = make_family(world.org)
        from keyworker.testing import make_child

        children.append(make_child(fam, world.school, world.class_a))
    barrier = threading.Barrier(len(children))
    results: list[str] = []
    lock = threading.Lock()

    def book(child):
        try:
            barrier.wait()
            evenings.booking_create(by=None, slot=slot, child=child, carer=None, office=True)
            outcome = "won"
        except RuleViolation as exc:
            outcome = exc.message
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(c,)) for c in children]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("won") == 1
    assert results.count(evenings.TAKEN) == len(children) - 1
    assert EveningSlot.objects.get(pk=slot.pk).family_id is not None
