"""Checks a standard's definition before it is saved: one clear message per field, and notes that are not errors."""

import re
from typing import Any

from keyworker.accounts.models import Role, StaffRole
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import SettingKind

from . import engine
from .evidence import event_source, evidence_source
from .models import EVENT_CADENCES, Cadence, Responsible, Subject

EDITABLE_FIELDS = (
    "title", "description", "enabled", "setting_kinds", "conditions", "subject", "cadence", "cadence_n", "evidence",
    "evidence_conditions", "event", "responsible", "due_soon_days", "escalate_after_days", "escalate_to_roles",
)

# Largest sensible N per cadence: beyond it a standard would never fall due within the engine's look-back.
MAX_N = {Cadence.WEEKLY_TERM_TIME: 39, Cadence.HALF_TERMLY: 1, Cadence.TERMLY: 1, Cadence.EVERY_N_MONTHS: 12,
         Cadence.AFTER_ENROLMENT: 365, Cadence.BEFORE_EVENT: 60, Cadence.AFTER_EVENT: 365}
N_UNIT = {Cadence.WEEKLY_TERM_TIME: "school weeks", Cadence.EVERY_N_MONTHS: "months", Cadence.AFTER_ENROLMENT: "days",
          Cadence.BEFORE_EVENT: "days", Cadence.AFTER_EVENT: "days"}
EVIDENCE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
WAITING = "Waiting for its records: nothing records this evidence yet, so the standard produces no obligations until it does."
WAITING_EVENTS = "Waiting for its events: nothing records these events yet, so the standard produces no obligations until it does."


class StandardInvalid(RuleViolation):
    """Several fields refused at once; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], rule="standard", field=first_field)
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return self.errors


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def roles_held(organisation_id: int) -> set[str]:
    """Role codes that at least one active staff member of the organisation holds."""
    return set(
        StaffRole.objects.filter(organisation_id=organisation_id, staff__is_active=True).values_list("role__code", flat=True)
    )


def standard_problems(*, organisation_id: int, definition: dict[str, Any]) -> dict[str, list[str]]:
    """Every reason to refuse the definition, by field. Empty when it may be saved."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not str(definition.get("title") or "").strip():
        refuse("title", "Give the standard a title, e.g. Weekly contact with parents and carers.")
    elif len(str(definition["title"])) > 150:
        refuse("title", "Keep the title to 150 characters or fewer.")

    kinds = definition.get("setting_kinds")
    if not isinstance(kinds, list) or any(k not in SettingKind.values for k in kinds):
        refuse("setting_kinds", f"Choose kinds of setting among: {', '.join(SettingKind.labels)}.")

    if definition.get("subject") not in Subject.values:
        refuse("subject", "Choose whether it applies to each family, each child, each key worker or each setting.")

    cadence = definition.get("cadence")
    n = _int(definition.get("cadence_n"))
    if cadence not in Cadence.values:
        refuse("cadence", "Choose how often it is due.")
    elif n is None or n < 1:
        unit = N_UNIT.get(Cadence(cadence), "periods")
        refuse("cadence_n", f"Give a number of {unit} of 1 or more: a standard due every 0 {unit} would never be due.")
    elif n > MAX_N[Cadence(cadence)]:
        if MAX_N[Cadence(cadence)] == 1:
            refuse("cadence_n", f"“{Cadence(cadence).label}” takes no number: leave it at 1.")
        else:
            refuse("cadence_n", f"Give a number from 1 to {MAX_N[Cadence(cadence)]} {N_UNIT[Cadence(cadence)]}.")

    conditions = definition.get("conditions")
    if not isinstance(conditions, dict):
        refuse("conditions", "Conditions must be pairs of a name and a value.")
    else:
        for key, value in conditions.items():
            if key not in engine.CONDITION_KEYS:
                known = ", ".join(sorted(engine.CONDITION_KEYS))
                refuse("conditions", f"The condition “{key}” is not one the engine knows; use one of: {known}.")
            elif key == "has_ehcp" and not isinstance(value, bool):
                refuse("conditions", "Choose children with an EHCP, without one, or every child.")
            elif key == "year_group" and not (isinstance(value, str) and value.strip()):
                refuse("conditions", "Give the year group by name, e.g. Year 6.")
            elif key == "enrolled_within_days" and ((_int(value) or 0) < 1):
                refuse("conditions", "Give the days since children enrolled as 1 or more.")

    code = str(definition.get("evidence") or "")
    if not EVIDENCE_CODE.match(code):
        refuse("evidence", "Choose the kind of record that meets this standard.")
    evidence_conditions = definition.get("evidence_conditions")
    if not isinstance(evidence_conditions, dict):
        refuse("evidence_conditions", "Evidence conditions must be pairs of a name and a value.")
    else:
        source = evidence_source(code) if EVIDENCE_CODE.match(code) else None
        for key in evidence_conditions:
            if source is not None and key not in source.conditions:
                declared = ", ".join(sorted(source.conditions)) or "none"
                refuse("evidence_conditions",
                       f"“{source.label}” does not understand the condition “{key}” (it understands: {declared}).")

    if definition.get("responsible") not in Responsible.values:
        refuse("responsible", "Choose who is responsible for meeting it.")

    due_soon = _int(definition.get("due_soon_days"))
    if due_soon is None or not 0 <= due_soon <= 60:
        refuse("due_soon_days", "Give a number of days from 0 to 60.")

    escalate_after = definition.get("escalate_after_days")
    if escalate_after is not None and ((_int(escalate_after) is None) or not 0 <= _int(escalate_after) <= 365):
        refuse("escalate_after_days", "Give a number of days from 0 to 365, or leave it empty to never escalate.")

    roles = definition.get("escalate_to_roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        refuse("escalate_to_roles", "Choose the roles that are told.")
    else:
        names = dict(Role.objects.filter(organisation_id=organisation_id, code__in=roles).values_list("code", "name"))
        held = roles_held(organisation_id) if roles else set()
        for code in roles:
            if code not in names:
                refuse("escalate_to_roles", f"There is no role “{code}” in this organisation.")
            elif code not in held:
                refuse("escalate_to_roles",
                       f"Nobody here holds the role “{names[code]}”, so nobody would be told. Choose another role, "
                       "or give someone this role first.")
        event = str(definition.get("event") or "")
    if cadence in EVENT_CADENCES and not event:
        refuse("event", "Say which event it counts from, e.g. appointment: this cadence is “before” or “after each event”.")
    elif event and not EVIDENCE_CODE.match(event):
        refuse("event", "Write the event as a short code of lower-case letters, digits and underscores, e.g. appointment.")
    if escalate_after is not None and not roles and "escalate_after_days" not in errors:
            refuse("escalate_to_roles", "Choose who is told when it escalates, or leave “escalate after” empty.")
    return errors


def standard_notes(definition: dict[str, Any]) -> list[str]:
    """Things worth saying that do not stop a save."""
    notes = []
    if evidence_source(str(definition.get("evidence") or "")) is None:
        notes.append(WAITING)
    if definition.get("cadence") in EVENT_CADENCES and event_source(str(definition.get("event") or "")) is None:
        notes.append(WAITING_EVENTS)
    return notes


def standard_check(*, organisation_id: int, definition: dict[str, Any]) -> list[str]:
    """Refuse an invalid definition (StandardInvalid); otherwise return its notes."""
    errors = standard_problems(organisation_id=organisation_id, definition=definition)
    if errors:
        raise StandardInvalid(errors)
    return standard_notes(definition)
