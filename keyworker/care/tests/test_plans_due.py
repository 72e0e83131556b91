"""The review rules: termly everywhere; in Scotland also 28 days from starting, every 6 months, on significant change;
on request everywhere. The earliest date applies and names its rule."""

import datetime as dt

import pytest

from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import Jurisdiction, Setting

from ..plans_due import CHANGE, REQUEST, SIX_MONTHS, START, TERMLY, add_months, review_due

AUTUMN = Period("Autumn 2026", dt.date(2026, 9, 2), dt.date(2026, 12, 18), "2026/27")
SPRING = Period("Spring 2027", dt.date(2027, 1, 4), dt.date(2027, 3, 26), "2026/27")
TODAY = dt.date(2026, 11, 18)


def _cal(jurisdiction=Jurisdiction.ENGLAND) -> TermCalendar:
    return TermCalendar(Setting(jurisdiction=jurisdiction), [AUTUMN, SPRING], [], [])


def _due(jurisdiction=Jurisdiction.ENGLAND, **kw):
    args = {"enrolled_on": dt.date(2026, 9, 2), "first_version_on": dt.date(2026, 9, 10), "last_reviewed_on": None,
            "requested_on": None, "significant_change_on": None, "request_days": 14, "change_days": 14, "as_of": TODAY}
    args.update(kw)
    return review_due(cal=_cal(jurisdiction), jurisdiction=jurisdiction, **args)


def test_termly_in_england_is_the_last_school_day_of_the_first_term_without_a_review():
    due = _due()
    assert (due.on, due.rule, due.overdue) == (dt.date(2026, 12, 18), TERMLY, False)
    reviewed = _due(last_reviewed_on=dt.date(2026, 10, 1))
    assert (reviewed.on, reviewed.rule) == (dt.date(2027, 3, 25), TERMLY)  # 26 March 2027 is Good Friday
    assert "every term" in reviewed.rule_label


def test_a_request_is_due_within_14_days_and_wins_when_earlier():
    due = _due(requested_on=dt.date(2026, 11, 16))
    assert (due.on, due.rule) == (dt.date(2026, 11, 30), REQUEST)
    assert due.rule_label == "the family asked for a review (within 14 days of asking)"


def test_the_settings_own_numbers_for_a_request_and_a_significant_change():
    due = _due(requested_on=dt.date(2026, 11, 16), request_days=7)
    assert (due.on, due.rule) == (dt.date(2026, 11, 23), REQUEST)
    assert due.rule_label == "the family asked for a review (within 7 days of asking)"
    change = _due(Jurisdiction.SCOTLAND, last_reviewed_on=dt.date(2026, 10, 1),
                  significant_change_on=dt.date(2026, 11, 10), change_days=3)
    assert (change.on, change.rule) == (dt.date(2026, 11, 13), CHANGE)
    assert change.rule_label == "a significant change (within 3 days, Scotland's personal plan rule)"
    # The law's numbers stay: 28 days from starting.
    assert _due(Jurisdiction.SCOTLAND, request_days=1, change_days=1).rule_label == (
        "within 28 days of starting (Scotland's personal plan rule)")


def test_scotland_within_28_days_of_starting_when_never_reviewed():
    due = _due(Jurisdiction.SCOTLAND)
    assert (due.on, due.rule, due.overdue) == (dt.date(2026, 9, 30), START, True)
    assert "28 days" in due.rule_label


def test_scotland_six_months_applies_when_it_is_earlier_than_the_term():
    # Reviewed on 20 September 2026 would be due on the last day of spring (25 March) termly; six months is 20 March.
    due = _due(Jurisdiction.SCOTLAND, last_reviewed_on=dt.date(2026, 9, 20), as_of=dt.date(2027, 1, 10))
    assert (due.on, due.rule) == (dt.date(2027, 3, 20), SIX_MONTHS)


def test_scotland_significant_change():
    due = _due(Jurisdiction.SCOTLAND, last_reviewed_on=dt.date(2026, 10, 1), significant_change_on=dt.date(2026, 11, 10))
    assert (due.on, due.rule) == (dt.date(2026, 11, 24), CHANGE)
    # Only in Scotland.
    assert _due(last_reviewed_on=dt.date(2026, 10, 1), significant_change_on=dt.date(2026, 11, 10)).rule == TERMLY


def test_no_term_in_the_calendar_and_no_other_rule_gives_no_date():
    due = review_due(cal=TermCalendar(Setting(jurisdiction="england"), [], [], []), jurisdiction="england",
                     enrolled_on=dt.date(2026, 9, 2), first_version_on=None, last_reviewed_on=None, requested_on=None,
                     significant_change_on=None, request_days=14, change_days=14, as_of=TODAY)
    assert due.on is None and due.rule == "" and not due.overdue


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)), (dt.date(2026, 11, 18), 6, dt.date(2027, 5, 18)),
    (dt.date(2026, 7, 1), 6, dt.date(2027, 1, 1)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
