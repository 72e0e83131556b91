"""Periods of each cadence in a setting's term calendar: which weeks, half terms or terms an obligation covers,
when each falls due, and when it closes.

Every window is due on a school day: weekly and monthly windows on their last school day, half terms and terms on
their last day of school. A window closes `grace` school days after it ends: until then a late record dated inside
it still meets it (late); after, an unmet window is missed.
"""

import datetime as dt
from dataclasses import dataclass

from keyworker.organisations.calendar import TermCalendar

from .models import Cadence, DayCount


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date
    due_on: dt.date


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _last_school_day(cal: TermCalendar, start: dt.date, end: dt.date) -> dt.date | None:
    days = cal.school_days_between(start, end)
    return days[-1] if days else None


def school_years(cal: TermCalendar, since: dt.date, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each school year of the calendar that overlaps [since, as_of], oldest first.

    A school year runs from its first term's start to the day before the next year's first term (the summer
    holiday belongs to the year just ended)."""
    starts: dict[str, dt.date] = {}
    for t in cal.terms:
        name = t.school_year or t.starts_on.isoformat()
        starts[name] = min(starts.get(name, t.starts_on), t.starts_on)
    firsts = sorted(starts.values())
    out = []
    for i, first in enumerate(firsts):
        last = firsts[i + 1] - dt.timedelta(days=1) if i + 1 < len(firsts) else dt.date.max
        if first <= as_of and last >= since:
            out.append((first, last))
    return out


def windows(cadence: str, n: int, cal: TermCalendar, as_of: dt.date, since: dt.date | None = None,
            anchor: dt.date | None = None) -> list[Window]:
    """Every window of the cadence that starts on or before as_of, in the school years from the one holding `since`
    (default: the school year of as_of) to as_of's.

    Weekly windows run Monday to Sunday, N weeks at a time from the Monday of the year's first week, and count
    only if they hold a school day: weekly contact is not due in the holidays. `anchor` (a rule that starts
    during the year) restarts the count of weeks or months on that day. Each window is due on its last school day.
    """
    if since is None:
        year_start = cal.school_year_start(as_of)
        if year_start is None:
            return []
        since = year_start
    out: list[Window] = []
    for first, last in school_years(cal, since, as_of):
        start_from = first if anchor is None or not first <= anchor <= last else anchor
        until = min(as_of, last)
        if cadence == Cadence.WEEKLY_TERM_TIME:
            step = dt.timedelta(weeks=max(n, 1))
            start = _monday(start_from)
            if start < start_from and start_from != first:  # a rule from mid-week starts with the next week
                start += dt.timedelta(weeks=1)
            while start <= until:
                end = start + step - dt.timedelta(days=1)
                due = _last_school_day(cal, start, end)
                if due is not None:
                    out.append(Window(start, end, due))
                start += step
        elif cadence in (Cadence.HALF_TERMLY, Cadence.TERMLY):
            periods = cal.half_terms if cadence == Cadence.HALF_TERMLY else cal.terms
            for p in periods:
                if first <= p.starts_on <= until:
                    due = _last_school_day(cal, p.starts_on, p.ends_on) or p.ends_on
                    out.append(Window(p.starts_on, p.ends_on, due))
        elif cadence == Cadence.EVERY_N_MONTHS:
            start = start_from
            while start <= until:
                month = start.month - 1 + max(n, 1)
                nxt = dt.date(start.year + month // 12, month % 12 + 1, 1)
                end = nxt - dt.timedelta(days=1)
                # Due on the last school day of the months (a month ending in a weekend or a holiday is due before).
                out.append(Window(start, end, _last_school_day(cal, start, end) or end))
                start = nxt
    return out


def closes_on(cal: TermCalendar, end: dt.date, grace_school_days: int) -> dt.date:
    """The last day a late record can meet a window that ended on `end`: `grace` school days after it."""
    return cal.shift_school_days(end, grace_school_days)


def add_days(cal: TermCalendar, day: dt.date, n: int, day_count: str) -> dt.date:
    """`day` moved by n days (negative: earlier), in school days or calendar days as the standard counts them."""
    if day_count == DayCount.SCHOOL:
        return cal.shift_school_days(day, n)
    return day + dt.timedelta(days=n)


def days_between(cal: TermCalendar, after: dt.date, through: dt.date, day_count: str) -> int:
    """Days after `after` up to and including `through`, counted as the standard counts them (0 if not later)."""
    if day_count == DayCount.SCHOOL:
        return cal.count_school_days(after, through)
    return max((through - after).days, 0)
