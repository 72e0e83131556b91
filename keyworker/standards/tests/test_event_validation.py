"""Event cadences are refused without an event, and wait (with a note) for events nothing records yet."""

import pytest

from keyworker.standards.validation import WAITING_EVENTS, standard_notes, standard_problems

pytestmark = pytest.mark.django_db

BASE = {"title": "Reminder", "setting_kinds": [], "subject": "family", "cadence": "before_event", "cadence_n": 3,
        "evidence": "appointment_reminder", "evidence_conditions": {}, "conditions": {}, "responsible": "key_worker",
        "due_soon_days": 2, "escalate_after_days": None, "escalate_to_roles": []}


def test_an_event_cadence_needs_its_event(world):
    errors = standard_problems(organisation_id=world.org.pk, definition={**BASE, "event": ""})
    assert "Say which event it counts from" in errors["event"][0]


def test_a_badly_written_event_is_refused(world):
    errors = standard_problems(organisation_id=world.org.pk, definition={**BASE, "event": "Parents' evening!"})
    assert "short code" in errors["event"][0]


def test_n_days_before_is_bounded(world):
    errors = standard_problems(organisation_id=world.org.pk, definition={**BASE, "event": "appointment", "cadence_n": 0})
    assert "0" in errors["cadence_n"][0]
    errors = standard_problems(organisation_id=world.org.pk, definition={**BASE, "event": "appointment", "cadence_n": 400})
    assert "from 1 to 60 days" in errors["cadence_n"][0]


def test_unrecorded_events_are_a_note_not_an_error(world):
    definition = {**BASE, "event": "home_visit"}  # nothing records home visits
    assert standard_problems(organisation_id=world.org.pk, definition=definition) == {}
    assert WAITING_EVENTS in standard_notes(definition)
    assert WAITING_EVENTS not in standard_notes({**definition, "cadence": "after_event", "event": "key_aspects_changed"})


def test_a_key_aspects_change_starts_a_briefing_obligation(world, clock):
    import datetime as dt

    from keyworker.people.services import key_aspects_update
    from keyworker.standards import engine
    from keyworker.standards import testing as standards_testing
    from keyworker.standards.models import Obligation

    with standards_testing.fake_evidence("test_briefing"):
        s = standards_testing.make_standard(world.org, "test_briefing", clause="SCH-3", subject="child", cadence="after_event",
                                            cadence_n=5, event="key_aspects_changed", escalate_after_days=None)
        key_aspects_update(actor=world.actor(world.teacher_a), child=world.child_a,
                           changes={"allergies": "Nuts", "medical_needs": "Asthma"})  # two fields, one briefing
        engine.recompute(organisation_id=world.org.pk, as_of=dt.date(2026, 11, 18))
        o = Obligation.objects.get(standard=s)
        assert (o.child, o.due_on, o.responsible_staff) == (world.child_a, dt.date(2026, 11, 23), world.ta_a)
