"""When a child's personal care plan is next to be reviewed, and which rule sets that date.

The policy (CC-K3) asks for a review every term: one review dated inside each term, due on the term's last school
day. A carer's request asks for one within the days the setting chose (`request_days`). In Scotland (SSI 2011/210,
regulation 5) a plan is also reviewed within 28 days of starting and at least every 6 months (the law's numbers), and
on significant change (within the setting's `change_days`). Each rule gives a date; the earliest applies, and the
page names the rule that set it.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Jurisdiction

from .models_plans import (
    DEFAULT_CHANGE_DAYS,
    DEFAULT_REQUEST_DAYS,
    SCOTLAND_REVIEW_MONTHS,
    SCOTLAND_START_DAYS,
)

TERMLY, REQUEST, START, SIX_MONTHS, CHANGE = "termly", "request", "start", "six_months", "significant_change"

# {request_days} and {change_days}: the setting's numbers.
RULE_LABELS = {
    TERMLY: "every term (the setting's policy, CC-K3)",
    REQUEST: "the family asked for a review (within {request_days} days of asking)",
    START: f"within {SCOTLAND_START_DAYS} days of starting (Scotland's personal plan rule)",
    SIX_MONTHS: f"at least every {SCOTLAND_REVIEW_MONTHS} months (Scotland's personal plan rule)",
    CHANGE: "a significant change (within {change_days} days, Scotland's personal plan rule)",
}


@dataclass(frozen=True)
class ReviewDays:
    """The numbers a setting chose (CarePlanSetup): a family's request met within `request`, a significant change
    reviewed within `change` days (Scotland)."""

    request: int = DEFAULT_REQUEST_DAYS
    change: int = DEFAULT_CHANGE_DAYS


@dataclass(frozen=True)
class ReviewDue:
    on: dt.date | None  # None: no rule gives a date (no term in the calendar yet, and none of the others applies)
    rule: str  # the rule that set it (one of RULE_LABELS), "" when none
    as_of: dt.date
    days: ReviewDays = ReviewDays()  # the setting's numbers, which the rule's words name

    @property
    def overdue(self) -> bool:
        return self.on is not None and self.on < self.as_of

    def due_within(self, days: int) -> bool:
        return self.on is not None and self.on <= self.as_of + dt.timedelta(days=days)

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule, "").format(request_days=self.days.request, change_days=self.days.change)

    @property
    def state(self) -> str:
        if self.on is None:
            return "upcoming"
        if self.overdue:
            return "overdue"
        return "due_soon" if self.due_within(14) else "upcoming"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def termly_due(cal: TermCalendar, since: dt.date, last_reviewed_on: dt.date | None) -> dt.date | None:
    """The last school day of the first term, from the one holding `since`, with no review in it."""
    for term in cal.terms:
        if term.ends_on < since:
            continue
        if last_reviewed_on is not None and term.starts_on <= last_reviewed_on <= term.ends_on:
            continue
        if last_reviewed_on is not None and last_reviewed_on > term.ends_on:
            continue
        days = cal.school_days_between(term.starts_on, term.ends_on)
        return days[-1] if days else term.ends_on
    return None


def review_due(*, cal: TermCalendar, jurisdiction: str, enrolled_on: dt.date, first_version_on: dt.date | None,
               last_reviewed_on: dt.date | None, requested_on: dt.date | None, significant_change_on: dt.date | None,
               request_days: int, change_days: int, as_of: dt.date) -> ReviewDue:
    """The next review of one child's plan (no queries: the calendar and the setting's numbers, `request_days` and
    `change_days`, are loaded once per page for all its settings)."""
    days = ReviewDays(request_days, change_days)
    candidates: list[tuple[dt.date, str]] = []
    termly = termly_due(cal, max(enrolled_on, last_reviewed_on or enrolled_on), last_reviewed_on)
    if termly is not None:
        candidates.append((termly, TERMLY))
    if requested_on is not None:
        candidates.append((requested_on + dt.timedelta(days=request_days), REQUEST))
    if jurisdiction == Jurisdiction.SCOTLAND:
        if last_reviewed_on is None or last_reviewed_on < enrolled_on:
            candidates.append((enrolled_on + dt.timedelta(days=SCOTLAND_START_DAYS), START))
        counted_from = last_reviewed_on or first_version_on or enrolled_on
        candidates.append((add_months(counted_from, SCOTLAND_REVIEW_MONTHS), SIX_MONTHS))
        if significant_change_on is not None:
            candidates.append((significant_change_on + dt.timedelta(days=change_days), CHANGE))
    if not candidates:
        return ReviewDue(None, "", as_of, days)
    # The earliest date applies; on a tie the rule listed first (the policy's own) is named.
    on, rule = min(candidates, key=lambda c: c[0])
    return ReviewDue(on, rule, as_of, days)
