"""The term calendar: school days, half terms, closures and each jurisdiction's bank holidays."""

import datetime as dt

import pytest

from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Closure, ClosureKind, HalfTerm, Jurisdiction, Term
from keyworker.testing import add_calendar, make_org, make_setting

D = dt.date


@pytest.fixture
def england(db):
    setting = make_setting(make_org(), jurisdiction=Jurisdiction.ENGLAND)
    add_calendar(setting)  # Autumn 2026: 2 Sep – 18 Dec; Autumn 1 to 23 Oct, Autumn 2 from 2 Nov
    Closure.objects.create(organisation_id=setting.organisation_id, setting=setting, kind=ClosureKind.INSET,
                           name="INSET day", starts_on=D(2026, 11, 27), ends_on=D(2026, 11, 27))
    return setting


def test_term_time_weekday_is_a_school_day(england):
    cal = TermCalendar.for_setting(england)
    assert cal.is_school_day(D(2026, 11, 18))
    assert cal.half_term_for(D(2026, 11, 18)).name == "Autumn 2"
    assert cal.term_for(D(2026, 11, 18)).name == "Autumn 2026"


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (D(2026, 11, 21), "Weekend"),
        (D(2026, 10, 28), "Holiday"),           # the October half-term break
        (D(2026, 11, 27), "INSET day"),
        (D(2026, 12, 25), "Bank holiday: Christmas Day"),
        (D(2026, 8, 20), "Holiday"),            # before the term starts
    ],
)
def test_days_that_are_not_school_days_say_why(england, day, why):
    cal = TermCalendar.for_setting(england)
    assert not cal.is_school_day(day)
    assert cal.describe(day) == why


def test_bank_holidays_differ_by_jurisdiction(db):
    org = make_org()
    scot, eng = make_setting(org, jurisdiction=Jurisdiction.SCOTLAND), make_setting(org, jurisdiction=Jurisdiction.ENGLAND)
    for s in (scot, eng):
        term = Term.objects.create(organisation=org, setting=s, name="Autumn", school_year="2026/27",
                                   starts_on=D(2026, 8, 17), ends_on=D(2026, 12, 22))
        HalfTerm.objects.create(organisation=org, setting=s, term=term, name="Autumn", starts_on=term.starts_on, ends_on=term.ends_on)
    st_andrews = D(2026, 11, 30)  # a Monday; a bank holiday in Scotland only
    assert not TermCalendar.for_setting(scot).is_school_day(st_andrews)
    assert TermCalendar.for_setting(scot).describe(st_andrews).startswith("Bank holiday: St Andrew")
    assert TermCalendar.for_setting(eng).is_school_day(st_andrews)


def test_school_days_between_and_adding_school_days(england):
    cal = TermCalendar.for_setting(england)
    # Fri 23 Oct is the last day of Autumn 1; the next school day is Mon 2 Nov.
    assert cal.add_school_days(D(2026, 10, 23), 1) == D(2026, 11, 2)
    assert cal.add_school_days(D(2026, 11, 2), -1) == D(2026, 10, 23)
    # Week of 23 Nov: Mon–Thu school days, Fri 27 INSET.
    assert cal.school_days_between(D(2026, 11, 23), D(2026, 11, 29)) == [D(2026, 11, d) for d in (23, 24, 25, 26)]


def test_calendar_loads_in_a_fixed_number_of_queries(england, django_assert_num_queries):
    with django_assert_num_queries(3):
        cal = TermCalendar.for_setting(england)
    with django_assert_num_queries(0):
        cal.school_days_between(D(2026, 9, 1), D(2026, 12, 31))


def test_school_year_start_is_this_years_first_day_even_with_last_year_on_the_calendar(db):
    setting = make_setting(make_org())
    for year, starts, ends in (("2025/26", D(2025, 9, 3), D(2025, 12, 19)), ("2025/26", D(2026, 1, 5), D(2026, 3, 27)),
                               ("2025/26", D(2026, 4, 13), D(2026, 7, 22)), ("2026/27", D(2026, 9, 2), D(2026, 12, 18))):
        Term.objects.create(organisation_id=setting.organisation_id, setting=setting, name=f"T{starts}", school_year=year,
                            starts_on=starts, ends_on=ends)
    cal = TermCalendar.for_setting(setting)
    assert cal.school_year_start(D(2026, 11, 18)) == D(2026, 9, 2)
    assert cal.school_year_start(D(2026, 8, 10)) == D(2025, 9, 3)  # summer holiday: the year just ended
    assert cal.school_year_start(D(2025, 8, 1)) is None
