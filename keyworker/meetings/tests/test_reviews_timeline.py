"""The dates of the SEND Code of Practice: 12 months, 2 weeks before and after, 15 February / 31 March."""

import datetime as dt

import pytest

from .. import reviews


@pytest.mark.parametrize(("last", "due"), [
    (dt.date(2025, 12, 10), dt.date(2026, 12, 10)),
    (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),   # a leap day: the last day of February a year on
    (dt.date(2026, 1, 31), dt.date(2027, 1, 31)),
])
def test_the_next_review_is_due_at_most_12_months_after_the_last(last, due):
    assert reviews.next_due(last) == due


def test_invitations_and_papers_two_weeks_before_and_the_report_two_weeks_after():
    meeting = dt.date(2026, 11, 30)
    assert reviews.notice_by(meeting) == dt.date(2026, 11, 16)
    assert reviews.report_by(meeting) == dt.date(2026, 12, 14)


@pytest.mark.parametrize(("year_group", "as_of", "deadline"), [
    ("Year 6", dt.date(2026, 11, 18), dt.date(2027, 2, 15)),
    ("Year 6", dt.date(2027, 6, 1), dt.date(2027, 2, 15)),      # the summer term belongs to the same school year
    ("Nursery", dt.date(2026, 9, 1), dt.date(2027, 2, 15)),
    ("Year 11", dt.date(2026, 11, 18), dt.date(2027, 3, 31)),   # post-16
    ("Year 5", dt.date(2026, 11, 18), None),
    ("", dt.date(2026, 11, 18), None),
])
def test_the_phase_transfer_deadline_in_a_transfer_year(year_group, as_of, deadline):
    assert reviews.transfer_deadline(year_group, as_of) == deadline


def test_the_transfer_events_count_back_to_the_start_of_the_school_year():
    from ..reviews_evidence import POST16_DAYS, TRANSFER_DAYS

    assert dt.date(2027, 2, 15) - dt.timedelta(days=TRANSFER_DAYS) == dt.date(2026, 9, 1)
    assert dt.date(2027, 3, 31) - dt.timedelta(days=POST16_DAYS) == dt.date(2026, 9, 1)


def test_the_transfer_step_on_the_checklist(world):
    from .review_helpers import book, ehcp, open_review

    ehcp(world.child_a, year_group="Year 6")
    review = book(world, open_review(world))
    steps = {s.code: s for s in reviews.review_steps(review, dt.date(2026, 11, 18))}
    assert steps["transfer"].due_on == dt.date(2027, 2, 15) and steps["transfer"].state == "to_do"
    review.held_on = dt.date(2026, 11, 30)
    assert {s.code: s for s in reviews.review_steps(review, dt.date(2026, 12, 1))}["transfer"].state == "done"
