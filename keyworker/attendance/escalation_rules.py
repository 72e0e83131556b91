"""Escalating attendance: the rules that say which tier a child reaches, from their rate and their recent marks.

A child reaches the highest tier whose threshold their attendance is at or below (after a minimum of possible
sessions), or the first tier when a pattern matches.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from .models import AttendanceTier, EscalationSettings

WEEKDAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]


def matching_patterns(marks: list[tuple[int, dt.date, str, bool]], rules: EscalationSettings, as_of: dt.date) -> dict[int, str]:
    """Which children match a pattern, from their recent possible sessions (child, day, session, absent), newest
    first: "N absences in the last M sessions", "absent on the same weekday K weeks running"."""
    by_child: dict[int, list[tuple[dt.date, str, bool]]] = defaultdict(list)
    for child_id, day, session, absent in marks:
        by_child[child_id].append((day, session, absent))
    found: dict[int, str] = {}
    for child_id, rows in by_child.items():
        rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
        if rules.recent_enabled:
            last = rows[:rules.recent_sessions]
            absences = sum(1 for r in last if r[2])
            if len(last) == rules.recent_sessions and absences >= rules.recent_absences:
                found[child_id] = f"{absences} absences in the last {rules.recent_sessions} sessions"
                continue
        if rules.weekday_enabled:
            days: dict[dt.date, bool] = {}
            for day, _session, absent in rows:
                days[day] = days.get(day, False) or absent
            by_weekday: dict[int, list[dt.date]] = defaultdict(list)
            for day in sorted(days, reverse=True):
                by_weekday[day.weekday()].append(day)
            for weekday, dates in sorted(by_weekday.items()):
                run = dates[:rules.weekday_weeks]
                if (len(run) == rules.weekday_weeks and (as_of - run[0]).days < 7 and all(days[d] for d in run)
                        and all((run[i] - run[i + 1]).days == 7 for i in range(len(run) - 1))):
                    found[child_id] = f"Absent on {WEEKDAYS[weekday]} {rules.weekday_weeks} weeks running"
                    break
    return found


def tier_reached(pct: Decimal | None, possible: int, pattern: str, tiers: list[AttendanceTier],
                 rules: EscalationSettings) -> AttendanceTier | None:
    """The tier a child's attendance (`pct` of `possible` sessions) or pattern reaches, if any."""
    tier = None
    if pct is not None and possible >= rules.minimum_sessions:
        for t in tiers:
            if pct <= t.at_or_below:
                tier = t
    if tier is None and pattern:
        tier = tiers[0]
    return tier
