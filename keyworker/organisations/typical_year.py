"""A typical school year for a setting's jurisdiction, copied into its term calendar as a start to adjust.

England (and Wales, Northern Ireland): three terms and six half terms from early September to late July, with
half-term breaks in October, February and late May, Christmas and Easter between the terms. Scotland: four terms
from mid-August to late June, with the October week, Christmas and Easter between them and a February mid-term
break inside the third. Bank holidays need nothing here: the calendar knows them per jurisdiction.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation

from .models import Closure, ClosureKind, HalfTerm, Jurisdiction, Setting, Term
from .policies import require_manage_setup

D = dt.date
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TypicalTerm:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    half_terms: tuple[tuple[str, dt.date, dt.date], ...]


@dataclass(frozen=True)
class TypicalYear:
    jurisdiction: str
    school_year: str  # e.g. "2026/27"
    terms: tuple[TypicalTerm, ...]
    breaks: tuple[tuple[str, dt.date, dt.date], ...]  # holidays inside a term (closures)

    @property
    def starts_on(self) -> dt.date:
        return self.terms[0].starts_on

    @property
    def ends_on(self) -> dt.date:
        return self.terms[-1].ends_on


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return D(year, month, day + 1)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += DAY
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= DAY
    return day


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _friday_before(monday: dt.date) -> dt.date:
    return monday - dt.timedelta(days=3)


def _friday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    day = D(year + (month == 12), month % 12 + 1, 1) - DAY
    return day - dt.timedelta(days=day.weekday())


def school_year_start(as_of: dt.date) -> int:
    """The calendar year in which the school year to copy starts: the one containing as_of, or from June the next."""
    return as_of.year if as_of.month >= 6 else as_of.year - 1


def _england(y: int, summer_ends: dt.date) -> TypicalYear:
    start = _weekday_on_or_after(D(y, 9, 2))
    if start.weekday() == 4:  # nobody starts a year on a Friday
        start += dt.timedelta(days=3)
    october = _last_monday(y, 10)
    autumn_end = _friday_on_or_before(D(y, 12, 20))
    spring_start = _weekday_on_or_after(D(y + 1, 1, 4))
    february = _monday_on_or_after(D(y + 1, 2, 12))
    easter = easter_sunday(y + 1)
    spring_end, summer_start = easter - dt.timedelta(days=9), easter + dt.timedelta(days=8)
    may = _last_monday(y + 1, 5)
    terms = (
        TypicalTerm(f"Autumn {y}", start, autumn_end, (
            ("Autumn 1", start, _friday_before(october)),
            ("Autumn 2", october + dt.timedelta(days=7), autumn_end),
        )),
        TypicalTerm(f"Spring {y + 1}", spring_start, spring_end, (
            ("Spring 1", spring_start, _friday_before(february)),
            ("Spring 2", february + dt.timedelta(days=7), spring_end),
        )),
        TypicalTerm(f"Summer {y + 1}", summer_start, summer_ends, (
            ("Summer 1", summer_start, _friday_before(may)),
            ("Summer 2", may + dt.timedelta(days=7), summer_ends),
        )),
    )
    breaks = (
        ("October half term", october, october + dt.timedelta(days=4)),
        ("February half term", february, february + dt.timedelta(days=4)),
        ("May half term", may, may + dt.timedelta(days=4)),
    )
    return TypicalYear(Jurisdiction.ENGLAND, f"{y}/{(y + 1) % 100:02d}", terms, breaks)


def _scotland(y: int) -> TypicalYear:
    start = _weekday_on_or_after(D(y, 8, 17))
    october = _monday_on_or_after(D(y, 10, 12))
    christmas_end = _weekday_on_or_before(D(y, 12, 22))
    term3_start = _weekday_on_or_after(D(y + 1, 1, 6))
    mid_term = _monday_on_or_after(D(y + 1, 2, 12))
    easter = easter_sunday(y + 1)
    term3_end, term4_start = easter - dt.timedelta(days=9), easter + dt.timedelta(days=8)
    end = _friday_on_or_before(D(y + 1, 6, 26))
    periods = (
        ("Term 1", start, _friday_before(october)),
        ("Term 2", october + dt.timedelta(days=7), christmas_end),
        ("Term 3", term3_start, term3_end),
        ("Term 4", term4_start, end),
    )
    # Scottish schools have no half terms: each term is its own period for half-termly standards.
    terms = tuple(TypicalTerm(f"{name} {y}/{(y + 1) % 100:02d}", s, e, ((name, s, e),)) for name, s, e in periods)
    breaks = (("February mid-term break", mid_term, mid_term + DAY),)
    return TypicalYear(Jurisdiction.SCOTLAND, f"{y}/{(y + 1) % 100:02d}", terms, breaks)


def typical_year(jurisdiction: str, as_of: dt.date) -> TypicalYear:
    """The typical school year for the jurisdiction that contains as_of (from June: the next one)."""
    y = school_year_start(as_of)
    if jurisdiction == Jurisdiction.SCOTLAND:
        return _scotland(y)
    if jurisdiction == Jurisdiction.NORTHERN_IRELAND:
        year = _england(y, _weekday_on_or_before(D(y + 1, 6, 30)))
        return TypicalYear(Jurisdiction.NORTHERN_IRELAND, year.school_year, year.terms, year.breaks)
    year = _england(y, _friday_on_or_before(D(y + 1, 7, 23)))
    return TypicalYear(Jurisdiction(jurisdiction), year.school_year, year.terms, year.breaks)


@dataclass(frozen=True)
class CopiedYear:
    year: TypicalYear
    terms: int
    half_terms: int
    closures: int


@transaction.atomic
def calendar_copy_typical_year(*, actor, setting: Setting, as_of: dt.date) -> CopiedYear:
    """Enter a typical year's terms, half terms and half-term breaks for the setting, to be adjusted afterwards.

    Refused when the setting already has a term in that school year: nothing entered by hand is overwritten."""
    if actor is not None:
        require_manage_setup(actor)
        if setting.organisation_id != actor.organisation_id:
            raise RuleViolation("Not found.", rule="tenancy")
    # One copy at a time per setting: a second click waits here, then finds the first one's terms.
    setting = Setting.objects.select_for_update().get(pk=setting.pk)
    year = typical_year(setting.jurisdiction, as_of)
    clash = Term.objects.filter(setting=setting, starts_on__lte=year.ends_on, ends_on__gte=year.starts_on).order_by("starts_on").first()
    if clash is not None:
        raise RuleViolation(
            f"{setting} already has term dates for {year.school_year} ({clash.name}, {on_screen(clash.starts_on)} to "
            f"{on_screen(clash.ends_on)}), so nothing was copied. Adjust the dates on the setting's page instead.",
            rule="overlap",
        )
    org_id = setting.organisation_id
    n_half_terms = 0
    for t in year.terms:
        term = Term.objects.create(organisation_id=org_id, setting=setting, name=t.name, school_year=year.school_year,
                                   starts_on=t.starts_on, ends_on=t.ends_on)
        HalfTerm.objects.bulk_create([
            HalfTerm(organisation_id=org_id, setting=setting, term=term, name=name, starts_on=s, ends_on=e)
            for name, s, e in t.half_terms
        ])
        n_half_terms += len(t.half_terms)
    Closure.objects.bulk_create([
        Closure(organisation_id=org_id, setting=setting, kind=ClosureKind.HOLIDAY, name=name, starts_on=s, ends_on=e)
        for name, s, e in year.breaks
    ])
    audit_record(
        organisation_id=org_id, actor=getattr(actor, "user", None), event_type="calendar.typical_year_copied", obj=setting,
        summary=f"Typical {setting.get_jurisdiction_display()} school year {year.school_year} copied to {setting}",
        data={"school_year": year.school_year, "starts_on": year.starts_on.isoformat(), "ends_on": year.ends_on.isoformat()},
    )
    return CopiedYear(year=year, terms=len(year.terms), half_terms=n_half_terms, closures=len(year.breaks))
