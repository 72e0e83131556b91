"""A setting's term calendar in memory: is this a school day, which half term is this, school days between.

Loaded in a fixed number of queries (three) so that set-based computations can ask it about many dates.
UK bank holidays come offline from the govuk-bank-holidays package, per jurisdiction.
"""

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from govuk_bank_holidays.bank_holidays import BankHolidays

from .models import Closure, HalfTerm, Jurisdiction, Setting, Term

_DIVISIONS = {
    Jurisdiction.ENGLAND: BankHolidays.ENGLAND_AND_WALES,
    Jurisdiction.WALES: BankHolidays.ENGLAND_AND_WALES,
    Jurisdiction.SCOTLAND: BankHolidays.SCOTLAND,
    Jurisdiction.NORTHERN_IRELAND: BankHolidays.NORTHERN_IRELAND,
}


@lru_cache(maxsize=8)
def bank_holidays(jurisdiction: str) -> dict[dt.date, str]:
    """Bank holidays for a jurisdiction, from the package's offline copy (never the network)."""
    division = _DIVISIONS[Jurisdiction(jurisdiction)]
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(division=division)
    return {h["date"]: h["title"] for h in holidays}


@dataclass(frozen=True)
class Period:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    school_year: str = ""  # terms only, e.g. "2026/27"

    def __contains__(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class TermCalendar:
    def __init__(self, setting: Setting, terms: list[Period], half_terms: list[Period], closures: list[tuple[str, Period]]):
        self.setting = setting
        self.terms = sorted(terms, key=lambda p: p.starts_on)
        self.half_terms = sorted(half_terms, key=lambda p: p.starts_on)
        self.closures = closures
        self._half_term_starts = [p.starts_on for p in self.half_terms]
        self._term_starts = [p.starts_on for p in self.terms]
        self._bank_holidays = bank_holidays(setting.jurisdiction)
        self._counted: list[dt.date] | None = None  # school days for counting, built on first use

    @classmethod
    def for_setting(cls, setting: Setting) -> "TermCalendar":
        terms = [Period(t.name, t.starts_on, t.ends_on, t.school_year) for t in Term.objects.filter(setting=setting)]
        half_terms = [Period(h.name, h.starts_on, h.ends_on) for h in HalfTerm.objects.filter(setting=setting)]
        closures = [(c.kind, Period(c.name, c.starts_on, c.ends_on)) for c in Closure.objects.filter(setting=setting)]
        return cls(setting, terms, half_terms, closures)

    @staticmethod
    def _find(periods: list[Period], starts: list[dt.date], day: dt.date) -> Period | None:
        i = bisect_right(starts, day) - 1
        if i >= 0 and day in periods[i]:
            return periods[i]
        return None

    def term_for(self, day: dt.date) -> Period | None:
        return self._find(self.terms, self._term_starts, day)

    def school_year_start(self, day: dt.date) -> dt.date | None:
        """First day of the school year of the latest term started by `day` (the current year, or in the summer
        holiday the one just ended)."""
        started = [t for t in self.terms if t.starts_on <= day]
        if not started:
            return None
        latest = started[-1]
        if not latest.school_year:
            return latest.starts_on
        return min(t.starts_on for t in self.terms if t.school_year == latest.school_year)

    def half_term_for(self, day: dt.date) -> Period | None:
        return self._find(self.half_terms, self._half_term_starts, day)

    def bank_holiday(self, day: dt.date) -> str | None:
        return self._bank_holidays.get(day)

    def closure_for(self, day: dt.date) -> tuple[str, Period] | None:
        for kind, period in self.closures:
            if day in period:
                return kind, period
        return None

    def is_school_day(self, day: dt.date) -> bool:
        """A weekday inside a term (and a half term, where half terms are defined), not closed, not a bank holiday."""
        if day.weekday() >= 5 or self.term_for(day) is None:
            return False
        if self.half_terms and self.half_term_for(day) is None:
            return False
        return self.bank_holiday(day) is None and self.closure_for(day) is None

    def describe(self, day: dt.date) -> str:
        """Why a day is or is not a school day, in words for the screen."""
        if day.weekday() >= 5:
            return "Weekend"
        if (bh := self.bank_holiday(day)) is not None:
            return f"Bank holiday: {bh}"
        if (closure := self.closure_for(day)) is not None:
            return closure[1].name
        if self.term_for(day) is None or (self.half_terms and self.half_term_for(day) is None):
            return "Holiday"
        return "School day"

    def school_days_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """School days from start to end inclusive."""
        days = []
        day = start
        while day <= end:
            if self.is_school_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    # Counting school days ("within N school days", "N school days before", a grace of N school days) must answer
    # for many dates at once: the school days are listed once, and each question is a binary search. Outside the
    # terms entered (before the first, after the last), weekdays that are not bank holidays count, so that a date
    # in a school year not yet entered still falls a sensible number of days away.
    _MARGIN = dt.timedelta(days=400)

    def _counting_days(self) -> list[dt.date]:
        if self._counted is None:
            if self.terms:
                first, last = self.terms[0].starts_on, max(t.ends_on for t in self.terms)
            else:
                first = last = dt.date(2000, 1, 1)
            day, end, out = first - self._MARGIN, last + self._MARGIN, []
            while day <= end:
                inside = first <= day <= last
                if (self.is_school_day(day) if inside else day.weekday() < 5 and self.bank_holiday(day) is None):
                    out.append(day)
                day += dt.timedelta(days=1)
            self._counted = out
        return self._counted

    def count_school_days(self, after: dt.date, through: dt.date) -> int:
        """How many school days fall after `after`, up to and including `through` (0 when through <= after)."""
        if through <= after:
            return 0
        days = self._counting_days()
        if days and days[0] <= after and through <= days[-1]:
            return bisect_right(days, through) - bisect_right(days, after)
        return len([d for d in self._walk(after, through)])

    def _walk(self, after: dt.date, through: dt.date):
        day = after + dt.timedelta(days=1)
        while day <= through:
            if day.weekday() < 5 and self.bank_holiday(day) is None and (self.term_for(day) is None or self.is_school_day(day)):
                yield day
            day += dt.timedelta(days=1)

    def shift_school_days(self, day: dt.date, n: int) -> dt.date:
        """`day` moved by n school days (n > 0 later, n < 0 earlier, 0: the day itself), counting as above."""
        if n == 0:
            return day
        days = self._counting_days()
        if days and days[0] <= day <= days[-1]:
            i = bisect_right(days, day) + n - 1 if n > 0 else bisect_right(days, day - dt.timedelta(days=1)) + n
            if 0 <= i < len(days):
                return days[i]
        step = dt.timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if day.weekday() < 5 and self.bank_holiday(day) is None and (self.term_for(day) is None or self.is_school_day(day)):
                remaining -= 1
        return day

    def add_school_days(self, day: dt.date, n: int) -> dt.date:
        """The date n school days after (n > 0) or before (n < 0) `day`. Gives up after two years of no school days."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        limit = 730
        while remaining and limit:
            day += dt.timedelta(days=step)
            limit -= 1
            if self.is_school_day(day):
                remaining -= 1
        return day


def calendar_for(setting: Setting, actor=None) -> TermCalendar:
    """The setting's calendar (three queries); read once per page when the actor reads shared
    (keyworker.accounts.access.Actor.reads_shared), so My week's panels share it."""
    if actor is None:
        return TermCalendar.for_setting(setting)
    return actor.shared(("term_calendar", setting.pk), lambda: TermCalendar.for_setting(setting))
