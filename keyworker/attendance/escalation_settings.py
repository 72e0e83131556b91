"""Escalating attendance: the organisation's tiers and patterns, as data it can change (England's defaults until then)."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.models import Role
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation

from .models import AttendanceTier, EscalationSettings

KEY_WORKER = "key_worker"
MAX_TIERS = 6

# England: "Working together to improve school attendance" (persistent at or below 90%, severe at or below 50%).
DEFAULT_TIERS = [
    (1, "Monitor", Decimal("95"), [KEY_WORKER], "Talk with the family about attendance", 5),
    (2, "Persistent absence", Decimal("90"), ["deputy_headteacher"], "Meet the family with the deputy head", 10),
    (3, "Severe absence", Decimal("50"), ["deputy_headteacher", "headteacher"],
     "Attendance meeting with the deputy head and headteacher; consider a referral to the local authority", 5),
]


# Organisation data ----------------------------------------------------------------------------------------------


def tiers_for(organisation_id: int) -> list[AttendanceTier]:
    """The organisation's tiers, lowest first; the England defaults are written the first time they are asked for."""
    tiers = list(AttendanceTier.objects.filter(organisation_id=organisation_id).order_by("order"))
    if tiers:
        return tiers
    # A childcare organisation has no headteachers: its managers are told instead.
    known = set(Role.objects.filter(organisation_id=organisation_id).values_list("code", flat=True)) | {KEY_WORKER}
    fallback = ["manager"] if "manager" in known else []

    def present(roles: list[str]) -> list[str]:
        kept = [c for c in roles if c in known]
        return list(dict.fromkeys(kept if len(kept) == len(roles) else [*kept, *fallback])) or [KEY_WORKER]

    AttendanceTier.objects.bulk_create([
        AttendanceTier(organisation_id=organisation_id, order=o, name=n, at_or_below=r, notify_roles=present(roles),
                       follow_up=f, follow_up_school_days=d)
        for o, n, r, roles, f, d in DEFAULT_TIERS
    ], ignore_conflicts=True)
    return list(AttendanceTier.objects.filter(organisation_id=organisation_id).order_by("order"))


def escalation_settings(organisation_id: int) -> EscalationSettings:
    return EscalationSettings.objects.filter(organisation_id=organisation_id).first() or EscalationSettings(
        organisation_id=organisation_id)


def role_choices(organisation_id: int) -> list[tuple[str, str]]:
    """Who a tier can tell: the child's key worker, or the holders of a role of the organisation."""
    roles = Role.objects.filter(organisation_id=organisation_id).order_by("name").values_list("code", "name")
    return [(KEY_WORKER, "The child's key worker"), *roles]


@dataclass
class TierInput:
    name: str = ""
    at_or_below: str = ""
    notify_roles: list[str] = field(default_factory=list)
    follow_up: str = ""
    follow_up_school_days: str = ""


def _int(raw: str, low: int, high: int, fld: str, what: str) -> int:
    raw = (raw or "").strip()
    if not raw.isdigit() or not (low <= int(raw) <= high):
        raise RuleViolation(f"Enter {what} between {low} and {high}.", rule="escalation", field=fld)
    return int(raw)


@transaction.atomic
def escalation_setup_save(*, actor: Actor, tiers: list[TierInput], patterns: dict[str, str]) -> list[AttendanceTier]:
    """Replace the organisation's tiers and patterns. Rows without a name are left out; thresholds go down tier by
    tier; every role named exists. Open concerns keep the tier name they were raised at."""
    actor.require(caps.MANAGE_SETUP)
    org = actor.organisation_id
    known = {code for code, _ in role_choices(org)}
    rows = [t for t in tiers if t.name.strip() or t.at_or_below.strip()]
    if not rows:
        raise RuleViolation("Keep at least one tier.", rule="escalation", field="tier-0-name")
    if len(rows) > MAX_TIERS:
        raise RuleViolation(f"Use {MAX_TIERS} tiers or fewer.", rule="escalation", field="tier-0-name")
    built = []
    previous: Decimal | None = None
    for i, t in enumerate(rows):
        name = t.name.strip()
        if not name or len(name) > 80:
            raise RuleViolation("Name the tier (80 characters or fewer).", rule="escalation", field=f"tier-{i}-name")
        try:
            rate = Decimal(t.at_or_below.strip().rstrip("%").strip()).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            rate = None
        if rate is None or not rate.is_finite() or not (0 <= rate <= 100):
            raise RuleViolation("Enter a percentage between 0 and 100, for example 90.", rule="escalation",
                                field=f"tier-{i}-at_or_below")
        if previous is not None and rate >= previous:
            raise RuleViolation(f"Each tier's threshold must be below the one before it ({previous.normalize()}%).",
                                rule="escalation", field=f"tier-{i}-at_or_below")
        previous = rate
        unknown = [c for c in t.notify_roles if c not in known]
        if unknown:
            raise RuleViolation(f"There is no role {unknown[0]!r} here.", rule="escalation", field=f"tier-{i}-notify_roles")
        if not t.notify_roles:
            raise RuleViolation("Choose who is told.", rule="escalation", field=f"tier-{i}-notify_roles")
        if len(t.follow_up) > 200:
            raise RuleViolation("Describe the follow-up in 200 characters or fewer.", rule="escalation",
                                field=f"tier-{i}-follow_up")
        days = _int(t.follow_up_school_days, 1, 60, f"tier-{i}-follow_up_school_days", "a number of school days")
        built.append(AttendanceTier(organisation_id=org, order=i + 1, name=name, at_or_below=rate,
                                    notify_roles=list(dict.fromkeys(t.notify_roles)), follow_up=t.follow_up.strip(),
                                    follow_up_school_days=days))
    sessions = _int(patterns.get("recent_sessions", ""), 2, 40, "recent_sessions", "a number of sessions")
    values = {
        "minimum_sessions": _int(patterns.get("minimum_sessions", ""), 0, 200, "minimum_sessions", "a number of sessions"),
        "recent_enabled": bool(patterns.get("recent_enabled")),
        "recent_sessions": sessions,
        "recent_absences": _int(patterns.get("recent_absences", ""), 1, sessions, "recent_absences", "a number of absences"),
        "weekday_enabled": bool(patterns.get("weekday_enabled")),
        "weekday_weeks": _int(patterns.get("weekday_weeks", ""), 2, 12, "weekday_weeks", "a number of weeks"),
    }
    AttendanceTier.objects.filter(organisation_id=org).delete()
    AttendanceTier.objects.bulk_create(built)
    EscalationSettings.objects.update_or_create(organisation_id=org, defaults=values)
    audit_record(organisation_id=org, actor=actor.user, event_type="attendance.escalation_setup",
                 summary=f"Attendance escalation tiers changed ({len(built)} tiers)")
    return list(AttendanceTier.objects.filter(organisation_id=org).order_by("order"))
