"""Dates that cannot be true: nobody on the roll was born before 1900, and nothing is recorded beyond next year.

A two-digit year or a slip of the keyboard (0202, 2206) otherwise goes in unnoticed and skews every figure.
"""

import datetime as dt

from django.core.exceptions import ValidationError

EARLIEST = dt.date(1900, 1, 1)


def latest(today: dt.date) -> dt.date:
    return dt.date(today.year + 1, 12, 31)


def date_problem(day: dt.date | None, *, today: dt.date) -> str | None:
    """Why `day` cannot be right, in words for the person typing it; None when it is plausible (or empty)."""
    if day is None:
        return None
    if day < EARLIEST:
        return "Enter a date in 1900 or later (check the year)."
    if day > latest(today):
        return f"Enter a date no later than {on_screen(latest(today))} (check the year)."
    return None


def check_date(day: dt.date | None, *, today: dt.date) -> dt.date | None:
    problem = date_problem(day, today=today)
    if problem:
        raise ValidationError(problem, code="implausible_date")
    return day


def on_screen(day: dt.date | dt.datetime) -> str:
    """A date as the glossary writes it on screen ("Tue 3 March 2026"), for messages and sentences built in Python."""
    from django.utils import timezone
    from django.utils.formats import date_format

    if isinstance(day, dt.datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    return date_format(day, "DATE_FORMAT")


def in_table(day: dt.date | dt.datetime) -> str:
    """A date as tables write it ("3/3/2026")."""
    from django.utils import timezone
    from django.utils.formats import date_format

    if isinstance(day, dt.datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    return date_format(day, "SHORT_DATE_FORMAT")
