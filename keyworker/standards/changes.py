"""Changes to a standard in words: what changed (before → after), for the policy page, the API and the message
that asks staff to acknowledge a change to their duties."""

from typing import Any

from keyworker.organisations.models import SettingKind

from .evidence import event_source
from .models import Cadence, Responsible, Subject

FIELD_WORDS = {
    "title": "Title", "description": "Wording", "enabled": "On or off", "setting_kinds": "Kinds of setting",
    "conditions": "Which children", "subject": "Applies to", "cadence": "How often", "cadence_n": "N",
    "event": "Counts from each",
    "evidence": "Met by", "evidence_conditions": "Conditions on the record", "responsible": "Who is responsible",
    "due_soon_days": "Due soon (days)", "escalate_after_days": "Escalates after (days)",
    "escalate_to_roles": "Who is told",
}
# Changes that do not change what a key worker has to do: staff are not asked to acknowledge them.
NOT_DUTIES = frozenset({"title", "escalate_to_roles"})


def event_label(code: str) -> str:
    source = event_source(code)
    return source.label if source is not None else (code or "event").replace("_", " ")


def cadence_phrase(cadence: str, n: int, event: str, day_count: str = "calendar") -> str:
    """How often, in words; "within N days" says school days when the standard counts them."""
    unit = "school day" if day_count == "school" else "day"
    days = f"{n} {unit}{'s' if n != 1 else ''}"
    return {
        Cadence.WEEKLY_TERM_TIME: "Every school week, in term time" if n == 1 else f"Every {n} school weeks, in term time",
        Cadence.HALF_TERMLY: "Every half term",
        Cadence.TERMLY: "Every term",
        Cadence.EVERY_N_MONTHS: "Every month" if n == 1 else f"Every {n} months",
        Cadence.AFTER_ENROLMENT: f"Within {days} of enrolment",
        Cadence.BEFORE_EVENT: f"{days} before each {event_label(event).lower()}",
        Cadence.AFTER_EVENT: f"Within {days} after each {event_label(event).lower()}",
    }.get(cadence, cadence)


def value_words(field: str, value: Any) -> str:
    if field == "enabled":
        return "On" if value else "Off"
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if field == "subject" and value in Subject.values:
        return str(Subject(value).label)
    if field == "responsible" and value in Responsible.values:
        return str(Responsible(value).label)
    if field == "setting_kinds" and isinstance(value, list):
        return ", ".join(str(SettingKind(k).label) if k in SettingKind.values else str(k) for k in value)
    if field == "conditions" and isinstance(value, dict):
        words = []
        for k, v in value.items():
            if k == "has_ehcp":
                words.append("with an EHCP" if v else "without an EHCP")
            elif k == "year_group":
                words.append(f"in {v}")
            elif k == "enrolled_within_days":
                words.append(f"enrolled in the last {v} days")
            else:
                words.append(f"{k} = {v}")
        return ", ".join(words)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} = {v}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def change_rows(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """Each change as {field, label, before, after} in words; a cadence and its N read as one "How often"."""
    rows = []
    changed = [f for f in FIELD_WORDS if before.get(f) != after.get(f)]
    together = {"cadence", "cadence_n", "event"}
    if together & set(changed):
        rows.append({
            "field": "cadence", "label": FIELD_WORDS["cadence"],
            "before": cadence_phrase(before.get("cadence", ""), before.get("cadence_n") or 1, before.get("event") or "",
                                    before.get("day_count") or "calendar"),
            "after": cadence_phrase(after.get("cadence", ""), after.get("cadence_n") or 1, after.get("event") or "",
                                   after.get("day_count") or "calendar"),
        })
    for f in changed:
        if f in together:
            continue
        rows.append({"field": f, "label": FIELD_WORDS[f], "before": value_words(f, before.get(f)),
                     "after": value_words(f, after.get(f))})
    return rows


def change_summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    """One line: "How often: Every school week, in term time → Every 2 school weeks, in term time; …"."""
    return "; ".join(f"{r['label']}: {r['before']} → {r['after']}" for r in change_rows(before, after))


def touches_duties(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(f) != after.get(f) for f in FIELD_WORDS if f not in NOT_DUTIES)
