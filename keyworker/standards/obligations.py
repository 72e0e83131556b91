"""Services on one obligation: waiving it, with a reason, an event row and an audit entry."""

from django.db import transaction

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation

from .models import Obligation, ObligationEvent, ObligationState
from .policies import require_waive

REASON_MAX = 300


@transaction.atomic
def obligation_waive(*, actor: Actor, obligation: Obligation, reason: str) -> Obligation:
    """Waive an open obligation (a leader's decision); the engine leaves waived obligations alone from then on."""
    if obligation.organisation_id != actor.organisation_id:
        raise RuleViolation("Obligation not found.", rule="tenancy")
    require_waive(actor, obligation)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("Enter why this obligation is waived, for example “Family moved abroad for the term”.",
                            rule="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"Keep the reason to {REASON_MAX} characters or fewer.", rule="reason_length", field="reason")
    # Lock the row: the engine may be updating the same obligation at this moment.
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if locked.state == ObligationState.MET:
        raise RuleViolation("This obligation is already met, so it cannot be waived.", rule="already_met")
    if locked.state == ObligationState.WAIVED:
        raise RuleViolation("This obligation has already been waived.", rule="already_waived")
    now = clock.now()
    before = locked.state
    locked.state = ObligationState.WAIVED
    locked.waived_reason = reason
    locked.updated_at = now
    locked.save(update_fields=["state", "waived_reason", "updated_at"])
    ObligationEvent.objects.create(
        organisation_id=locked.organisation_id, obligation=locked, from_state=before, to_state=ObligationState.WAIVED,
        at=now, actor=actor.user, note=reason,
    )
    audit_record(
        organisation_id=locked.organisation_id, actor=actor.user, event_type="obligation.waived", obj=locked,
        summary=f"Waived {obligation.standard} for {obligation.family}", data={"from_state": before, "reason": reason},
    )
    obligation.state, obligation.waived_reason, obligation.updated_at = locked.state, reason, now
    return obligation


def obligations_refresh(*, organisation_id: int, family_ids: set[int], as_of=None, actor: Actor | None = None):
    """Bring the obligations of a few families up to date at once, when a record about them changes; returns what
    changed (engine.RunResult: its `changes` name each obligation, its clause and family, from and to which state).

    Domain apps call this inside their own transaction, so the record and its effect commit together. It never waits
    for a whole-organisation run, which computes without the lock and takes it only to write.
    """
    from . import engine

    if not family_ids:
        return engine.RunResult()
    return engine.recompute(
        organisation_id=organisation_id, as_of=as_of or clock.today(), families=family_ids,
        actor=getattr(actor, "user", None),
    )
