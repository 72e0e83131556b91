"""Changes to a standard in words: what changed (before → after), for the policy page, the API and the message
that asks staff to acknowledge a change to their duties."""

from typing import Any

from keyworker.organisations.models import SettingKind

from .evidence import event_source
from .models import Cadence, Responsible, Subject

FIELD_WORDS = {
    "title": "Title", "description": "Wording", "enabled": "On or off", "setting_kinds": "Kinds of setting",
    "conditions": "Which children", "subject": "Applies to", "cadence": "How often", "cadence_n": "How many",
    "event": "Counts from each",
    "evidence": "Met by", "evidence_conditions": "What the record must show", "responsible": "Who is responsible",
    "due_soon_days": "Shown as due soon (days before)", "escalate_after_days": "Escalates when overdue by more than (days)",
    "escalate_to_roles": "Who is told when it escalates",
}
# Changes that do not change what a key worker has to do: staff are not asked to acknowledge them.
NOT_DUTIES = frozenset({"title", "escalate_to_roles"})
NOTHING = "none"

# Events that standards count from, in words, for those whose records are still to come (the registered ones name
# themselves): "within 5 days after each transition visit".
EVENT_WORDS = {
    "appointment": "appointment", "support_meeting": "support meeting", "transition_visit": "transition visit",
    "key_aspects_changed": "change to key aspects", "unexplained_absence": "unexplained absence",
    "attendance_concern_raised": "attendance concern raised", "wellbeing_concern": "wellbeing concern raised",
    "carer_message_received": "carer's message received",
}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def condition_words(key: str, value: Any) -> str:
    """A condition on the record that meets a standard, in words ("at least 5 words in the write-up")."""
    if key == "min_words":
        n = int(value) if str(value).lstrip("-").isdigit() else value
        return f"at least {_plural(n, 'word')} in the write-up" if isinstance(n, int) else f"at least {n} words in the write-up"
    if key == "shared":
        return "shared with the family" if value in (True, "true", "yes", 1, "1") else "shared or not"
    return f"{key.replace('_', ' ')}: {value}"


def event_label(code: str) -> str:
    """The event a standard counts from, as a noun with no article ("unexplained absence")."""
    source = event_source(code)
    if source is None:
        return EVENT_WORDS.get(code, (code or "event").replace("_", " "))
    label = source.label
    for article in ("A ", "An ", "The "):
        if label.startswith(article):
            label = label[len(article):]
            break
    return label[:1].lower() + label[1:]


def cadence_phrase(cadence: str, n: int, event: str, day_count: str = "calendar") -> str:
    """How often, in words; "within N days" says school days when the standard counts them. Singular and plural
    as English has them: "within 1 school day", "within 2 school days", "every school week", "every 2 school weeks"."""
    unit = "school day" if day_count == "school" else "day"
    days = _plural(n, unit)
    what = event_label(event)
    return {
        Cadence.WEEKLY_TERM_TIME: "Every school week, in term time" if n == 1 else f"Every {n} school weeks, in term time",
        Cadence.HALF_TERMLY: "Every half term",
        Cadence.TERMLY: "Every term",
        Cadence.EVERY_N_MONTHS: "Every month" if n == 1 else f"Every {n} months",
        Cadence.AFTER_ENROLMENT: f"Within {days} of enrolment",
        Cadence.BEFORE_EVENT: (f"The {unit} before each {what}" if n == 1 else f"{days.capitalize()} before each {what}"),
        Cadence.AFTER_EVENT: f"Within {days} after each {what}",
    }.get(cadence, str(cadence).replace("_", " ").capitalize())


def role_words(code: str, role_names: dict[str, str] | None = None) -> str:
    if role_names and code in role_names:
        return role_names[code]
    return code.replace("_", " ").capitalize()


def value_words(field: str, value: Any, role_names: dict[str, str] | None = None) -> str:
    if field == "enabled":
        return "On" if value else "Off"
    if field == "escalate_after_days" and value in (None, ""):
        return "never escalates"
    if field == "setting_kinds" and value in (None, []):
        return "every kind of setting"
    if field == "conditions" and value in (None, {}):
        return "every child"
    if value is None or value == "" or value == [] or value == {}:
        return NOTHING
    if field == "subject" and value in Subject.values:
        return str(Subject(value).label)
    if field == "responsible" and value in Responsible.values:
        return str(Responsible(value).label)
    if field == "evidence":
        from .catalogue import evidence_label

        return evidence_label(str(value))
    if field == "escalate_to_roles" and isinstance(value, list):
        return ", ".join(role_words(str(r), role_names) for r in value)
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
                words.append(f"enrolled in the last {_plural(int(v), 'day') if str(v).isdigit() else v}")
            else:
                words.append(f"{k.replace('_', ' ')}: {v}")
        return "children " + ", ".join(words)
    if field == "evidence_conditions" and isinstance(value, dict):
        return ", ".join(condition_words(k, v) for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')}: {v}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def change_rows(before: dict[str, Any], after: dict[str, Any],
                role_names: dict[str, str] | None = None) -> list[dict[str, str]]:
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
        rows.append({"field": f, "label": FIELD_WORDS[f], "before": value_words(f, before.get(f), role_names),
                     "after": value_words(f, after.get(f), role_names)})
    return rows


def change_summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    """One line: "How often: Every school week, in term time → Every 2 school weeks, in term time; …"."""
    return "; ".join(f"{r['label']}: {r['before']} → {r['after']}" for r in change_rows(before, after))


def touches_duties(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(f) != after.get(f) for f in FIELD_WORDS if f not in NOT_DUTIES)
