"""Writes of chat sessions (CC-K6): a session offered to a child with the member of staff they chose, held or
declined (the child's choice not to talk is respected and still counts as offered)."""

import datetime as dt

from django.db import transaction

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.people.models import Child
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .checklists_services import FieldErrors, day_problem, visible_child
from .models_checklists import CHAT_KINDS, NOTE_MAX, ChatOutcome, ChatSession


def _chosen(staff_id: int | None, child: Child) -> StaffMember | None:
    """The member of staff, if they work in the child's setting (any role there)."""
    if staff_id is None:
        return None
    return (StaffMember.objects.filter(pk=staff_id, organisation_id=child.organisation_id, is_active=True,
                                       staff_roles__setting_id=child.setting_id).select_related("user").first())


@transaction.atomic
def chat_session_record(*, actor: Actor, child: Child, offered_on: dt.date | None, outcome: str, staff_id: int | None,
                        note: str = "") -> ChatSession:
    child = visible_child(actor, child, CHAT_KINDS)
    policies.chats_require_record(actor, child.setting_id)
    today = clock.today(child.setting.time_zone)
    errors: dict[str, str] = {}
    if problem := day_problem(offered_on, child, today, "The day of the session"):
        errors["offered_on"] = problem
    if outcome not in ChatOutcome.values:
        errors["outcome"] = "Choose whether the session was held or the child chose not to talk."
    staff = _chosen(staff_id, child)
    if staff is None:
        errors["staff"] = (f"Choose the member of staff {child.display_name} chose, from those who work at "
                           f"{child.setting.name}.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters or fewer."
    if errors:
        raise FieldErrors(errors)
    session = ChatSession.objects.create(
        organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
        offered_on=offered_on, outcome=outcome, staff=staff, note=note, recorded_by=actor.staff, recorded_at=clock.now())
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type="chat_session.recorded", obj=session,
                 summary=f"Chat session with {child} ({session.get_outcome_display().lower()}), with "
                         f"{staff.user.full_name}")
    obligations_refresh(organisation_id=child.organisation_id, family_ids={child.family_id}, as_of=today, actor=actor)
    return session
