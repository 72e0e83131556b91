"""One obligation: its details and history for whoever sees the family; waiving it, for leaders, with a reason."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.standards import engine
from keyworker.standards import testing as standards_testing
from keyworker.standards.models import (
    Obligation,
    ObligationEvent,
)
from keyworker.standards.obligations import obligation_waive

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 11, 18)
RECORDS, fake_evidence, make_standard = standards_testing.in_memory_evidence("obligation_record")


@pytest.fixture
def standard(world):
    s = make_standard(world.org)
    # The week of 16 Nov moves upcoming → due soon → overdue → escalated; the week of 9 Nov is met.
    for day in (D(2026, 11, 16), D(2026, 11, 18)):
        engine.recompute(organisation_id=world.org.pk, as_of=day)
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 11)))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    return s


THIS_WEEK = D(2026, 11, 16)


def obligation(world, standard, start=THIS_WEEK, family=None):
    return Obligation.objects.get(standard=standard, family=family or world.family_a, period_start=start)


def test_the_key_worker_sees_the_obligation_and_its_history(world, client_for, standard):
    o = obligation(world, standard)
    r = client_for(world.ta_a).get(f"/obligations/{o.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Weekly contact (SCH-4)" in html and "The Adams family" in html and "Kim Keyworker" in html
    assert "Mon 16 November 2026 to Sun 22 November 2026" in html and "Fri 20 November 2026" in html
    assert 'icons.svg#clock"></use></svg> Due soon' in html
    assert [(e.from_state, e.to_state) for e, _, _ in r.context["events"]] == [("", "upcoming"), ("upcoming", "due_soon")]
    assert "The daily check" in html
    assert "Waive this obligation" not in html  # key workers do not waive


def test_a_met_obligation_shows_its_evidence(world, client_for, standard):
    o = obligation(world, standard, D(2026, 11, 9))
    html = client_for(world.ta_a).get(f"/obligations/{o.pk}/").content.decode()
    assert "obligation_record0" in html and 'icons.svg#check"></use></svg> Met' in html and "Wed 11 November 2026" in html


@pytest.mark.parametrize("persona", ["teacher_b", "outsider"])
def test_people_who_cannot_see_the_family_get_404(world, client_for, standard, persona):
    o = obligation(world, standard)
    client = client_for(world.personas[persona])
    assert client.get(f"/obligations/{o.pk}/").status_code == 404
    assert client.post(f"/obligations/{o.pk}/waive/", {"reason": "x"}).status_code == 404
    assert client.get("/obligations/999999/").status_code == 404


def test_a_leader_waives_with_a_reason(world, client_for, standard):
    o = obligation(world, standard)
    client = client_for(world.headteacher)
    assert "Waive this obligation" in client.get(f"/obligations/{o.pk}/").content.decode()
    r = client.post(f"/obligations/{o.pk}/waive/", {"reason": "Family away for a funeral this week"}, follow=True)
    assert r.redirect_chain[-1][0] == f"/obligations/{o.pk}/"
    o.refresh_from_db()
    assert o.state == "waived" and o.waived_reason == "Family away for a funeral this week"
    event = ObligationEvent.objects.filter(obligation=o).last()
    assert (event.from_state, event.to_state, event.actor, event.note) == (
        "due_soon", "waived", world.headteacher.user, "Family away for a funeral this week")
    assert AuditEvent.objects.filter(event_type="obligation.waived", object_id=o.pk).exists()
    html = r.content.decode()
    assert "Waived: Weekly contact (SCH-4) for The Adams family." in html
    assert 'icons.svg#dash"></use></svg> Waived' in html and "Helen Head" in html and "Waive this obligation" not in html
    # The engine leaves it alone from then on.
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 26))
    o.refresh_from_db()
    assert o.state == "waived"


def test_a_reason_is_required(world, client_for, standard):
    o = obligation(world, standard)
    r = client_for(world.headteacher).post(f"/obligations/{o.pk}/waive/", {"reason": "   "})
    assert r.status_code == 400
    html = r.content.decode()
    assert "There is a problem" in html and "Enter why this obligation is waived" in html
    o.refresh_from_db()
    assert o.state == "due_soon"


def test_key_workers_may_not_waive(world, client_for, standard):
    o = obligation(world, standard)
    assert client_for(world.ta_a).post(f"/obligations/{o.pk}/waive/", {"reason": "Too busy"}).status_code == 403
    o.refresh_from_db()
    assert o.state == "due_soon"


def test_waive_is_post_only(world, client_for, standard):
    o = obligation(world, standard)
    assert client_for(world.headteacher).get(f"/obligations/{o.pk}/waive/").status_code == 405


def test_met_or_waived_obligations_are_refused_with_a_message(world, client_for, standard):
    met = obligation(world, standard, D(2026, 11, 9))
    client = client_for(world.headteacher)
    r = client.post(f"/obligations/{met.pk}/waive/", {"reason": "No need"}, follow=True)
    assert "already met, so it cannot be waived" in r.content.decode()
    met.refresh_from_db()
    assert met.state == "met"
    o = obligation(world, standard)
    client.post(f"/obligations/{o.pk}/waive/", {"reason": "Away"})
    r = client.post(f"/obligations/{o.pk}/waive/", {"reason": "Again"}, follow=True)
    assert "already been waived" in r.content.decode()
    assert ObligationEvent.objects.filter(obligation=o, to_state="waived").count() == 1


def test_the_service_checks_reason_capability_and_organisation(world, standard):
    o = obligation(world, standard)
    with pytest.raises(RuleViolation) as exc:
        obligation_waive(actor=world.actor(world.headteacher), obligation=o, reason="")
    assert exc.value.field == "reason"
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        obligation_waive(actor=world.actor(world.ta_a), obligation=o, reason="Busy")
    with pytest.raises(RuleViolation):
        obligation_waive(actor=world.actor(world.outsider), obligation=o, reason="Not ours")
    o.refresh_from_db()
    assert o.state == "due_soon"


def test_fixed_number_of_queries_whatever_the_history(world, client_for, standard):
    client = client_for(world.headteacher)
    o = obligation(world, standard)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/obligations/{o.pk}/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(20):
        ObligationEvent.objects.create(organisation=world.org, obligation=o, from_state="due_soon", to_state="due_soon",
                                       at=o.updated_at, actor=world.deputy.user, note=f"note {i}")
    large = count()
    assert small == large, (small, large)
    print(f"obligation page queries: {small} with 2 events, {large} with 22")
