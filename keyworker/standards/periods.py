"""Periods of each cadence in a setting's term calendar: which weeks, half terms or terms an obligation covers."""

import datetime as dt
from dataclasses import dataclass

from keyworker.organisations.calendar import TermCalendar

from .models import Cadence


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


def windows(cadence: str, n: int, cal: TermCalendar, as_of: dt.date) -> list[Window]:
    """Every window of the cadence from the start of the school year up to and including the one holding as_of.

    Weekly windows run Monday to Sunday (N weeks at a time) and count only if they hold a school day: weekly
    contact is not due in the holidays. Each window is due on its last school day.
    """
    year_start = cal.school_year_start(as_of)
    if year_start is None:
        return []
    out: list[Window] = []
    if cadence == Cadence.WEEKLY_TERM_TIME:
        step = dt.timedelta(weeks=max(n, 1))
        start = _monday(year_start)
        while start <= as_of:
            end = start + step - dt.timedelta(days=1)
            due = _last_school_day(cal, start, end)
            if due is not None:
                out.append(Window(start, end, due))
            start += step
    elif cadence in (Cadence.HALF_TERMLY, Cadence.TERMLY):
        periods = cal.half_terms if cadence == Cadence.HALF_TERMLY else cal.terms
        for p in periods:
            if year_start <= p.starts_on <= as_of:
                due = _last_school_day(cal, p.starts_on, p.ends_on) or p.ends_on
                out.append(Window(p.starts_on, p.ends_on, due))
    elif cadence == Cadence.EVERY_N_MONTHS:
        start = year_start
        while start <= as_of:
            month = start.month - 1 + max(n, 1)
            nxt = dt.date(start.year + month // 12, month % 12 + 1, 1)
            end = nxt - dt.timedelta(days=1)
            out.append(Window(start, end, end))
            start = nxt
    return out
