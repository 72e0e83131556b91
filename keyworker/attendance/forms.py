"""What the attendance pages read from a post: the register's marks, the thresholds, an action on a concern, the
escalation tiers and patterns. Each value is trimmed and cut to a safe length here; the services judge it."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from .escalation_settings import MAX_TIERS, TierInput


def parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def register_codes(post: QueryDict, children) -> dict[int, str]:
    """The mark chosen for each child (an "other" code typed in wins over the buttons)."""
    chosen: dict[int, str] = {}
    for child in children:
        code = (post.get(f"other_{child.pk}") or post.get(f"code_{child.pk}") or "").strip()[:4]
        if code:
            chosen[child.pk] = code
    return chosen


def thresholds_from(post: QueryDict, keys) -> tuple[dict[str, str], dict, dict[str, str]]:
    """The attendance thresholds as typed, as numbers, and a message per field that is not a number."""
    values = {k: (post.get(k) or "").strip()[:10] for k in keys}
    parsed: dict = {}
    errors: dict[str, str] = {}
    for key in ("persistent_at_or_below", "severe_at_or_below"):
        try:
            parsed[key] = Decimal(values[key]).quantize(Decimal("0.01"))
            if not parsed[key].is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[key] = "Enter a percentage, for example 90."
    if values["replace_n_within_school_days"].isdigit():
        parsed["replace_n_within_school_days"] = int(values["replace_n_within_school_days"])
    else:
        errors["replace_n_within_school_days"] = "Enter a number of school days, for example 5."
    return values, parsed, errors


def concern_values(post: QueryDict, keys) -> dict[str, str]:
    """An action logged on a concern, or its closing: the fields as typed."""
    return {k: (post.get(k) or "").strip()[:2100] for k in keys}


def tier_inputs(post: QueryDict) -> list[TierInput]:
    """Every row of the tiers table as typed (empty rows too; the service leaves them out)."""
    return [
        TierInput(
            (post.get(f"tier-{i}-name") or "")[:100], (post.get(f"tier-{i}-at_or_below") or "")[:10],
            [c[:40] for c in post.getlist(f"tier-{i}-notify_roles")][:20],
            (post.get(f"tier-{i}-follow_up") or "")[:250], (post.get(f"tier-{i}-follow_up_school_days") or "")[:4],
        )
        for i in range(MAX_TIERS)
    ]


def pattern_values(post: QueryDict, keys) -> dict[str, str]:
    return {k: (post.get(k) or "").strip()[:6] for k in keys}
