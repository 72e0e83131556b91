"""Shortcuts for the annual review tests: a child with an EHCP, a review opened, its meeting booked."""

import datetime as dt
import zoneinfo

from keyworker.people.models import Child

from .. import reviews

TODAY = dt.date(2026, 11, 18)
LAST_REVIEW = dt.date(2025, 12, 10)      # so the next is due by 10 December 2026
MEETING = dt.date(2026, 11, 30)          # 12 days from TODAY
LONDON = zoneinfo.ZoneInfo("Europe/London")


def ehcp(child, **fields) -> Child:
    Child.objects.filter(pk=child.pk).update(has_ehcp=True, **fields)
    child.refresh_from_db()
    return child


def open_review(world, child=None, last=LAST_REVIEW):
    child = ehcp(child or world.child_a)
    return reviews.review_open(actor=world.actor(world.headteacher), child=child, last_review_on=last)


def book(world, review, day=MEETING, hour=14):
    starts = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)
    return reviews.review_schedule(actor=world.actor(world.headteacher), review=review, starts_at=starts,
                                   ends_at=starts + dt.timedelta(hours=1), place="Meeting room 2")


def booked(world, child=None):
    return book(world, open_review(world, child))
