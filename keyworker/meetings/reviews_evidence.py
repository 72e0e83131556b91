"""What annual reviews give the standards engine: the events each step counts from, and the records that meet them.

Events (per child, reference "annualreview:<id>"):
- `annual_review_due`: counted back 365 days from the day the review is due, so "within 365 days" falls due on the day
  the review page shows (12 months after the last review). A child on roll with an EHCP and no cycle opened owes it too,
  12 months after the plan was issued or last reviewed as their record says (reference "ehcp:<child id>"; nothing when
  the record says neither). The cycle then opened from that date keeps that reference, so the obligation carries on
  rather than a second one starting beside it;
- `annual_review_meeting`: the meeting's day (not a cancelled one), for "2 weeks before" and "2 weeks after";
- `phase_transfer`, `phase_transfer_post16`: for a child with an EHCP in a transfer year, counted back from 15 February
  (31 March) by the number of days the school template gives, so that the deadline is the day the obligation is due.

Evidence: invitations sent, papers circulated, the key worker invited (before the meeting), the meeting held and the
report sent (each about its own review), and the pupil booklet shared (SCH-7).
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from keyworker.people.models import Child
from keyworker.standards.engine import LOOKAHEAD_DAYS
from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_events,
    register_evidence,
)

from . import reviews
from .models import AnnualReview, AppointmentStatus

ANNUAL_REVIEW_DUE = "annual_review_due"
ANNUAL_REVIEW_MEETING = "annual_review_meeting"
PHASE_TRANSFER = "phase_transfer"
PHASE_TRANSFER_POST16 = "phase_transfer_post16"
# The days from the transfer event to the deadline, as the school template's standards count them.
TRANSFER_DAYS = 167   # 1 September to 15 February
POST16_DAYS = 211     # 1 September to 31 March (non-leap)
HELD_WINDOW_DAYS = 365

REVIEW_HELD = "annual_review_held"
INVITATIONS_SENT = "review_invitations_sent"
PAPERS_CIRCULATED = "review_papers_circulated"
KEY_WORKER_INVITED = "review_key_worker_invited"
REPORT_SENT = "review_report_sent"
TRANSFER_REVIEW = "phase_transfer_review"
BOOKLET_SHARED = "review_booklet_shared"
# A step done earlier than this before the meeting counts from this day: the engine reads a "before the event" record
# from a fortnight before its due day (4 weeks before the meeting), and invitations sent 6 weeks ahead are on time.
EARLIEST_BEFORE = 28


def ref(review_id: int) -> str:
    return f"annualreview:{review_id}"


def first_ref(child_id: int) -> str:
    """The review a child with an EHCP owes before any cycle is opened."""
    return f"ehcp:{child_id}"


def due_ref(review_id: int, child_id: int, last_review_on: dt.date, issued_on: dt.date | None,
            last_reviewed_on: dt.date | None) -> str:
    """The reference of a cycle's date due: the child's first-review reference when the cycle counts from the date on
    the child's record (it was opened from it), else the cycle's own."""
    if last_review_on == reviews.recorded_last(issued_on, last_reviewed_on):
        return first_ref(child_id)
    return ref(review_id)


# A cycle's row as `due_ref` reads it (with the child's recorded dates): one join, no extra query.
DUE_REF_FIELDS = ("id", "child_id", "last_review_on", "child__ehcp_issued_on", "child__ehcp_last_reviewed_on")


def _reviews(organisation_id: int, families: set[int] | None):
    qs = AnnualReview.objects.filter(organisation_id=organisation_id)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return qs


def _meetings(organisation_id: int, families: set[int] | None, shape) -> SourceRead:
    """Each review's (family, child, meeting day, row values) for reviews with a meeting not cancelled, in one query,
    handed to `shape` as a dict by review."""
    rows = (
        _reviews(organisation_id, families).filter(appointment__isnull=False)
        .exclude(appointment__status=AppointmentStatus.CANCELLED)
        .values_list("id", "family_id", "child_id", "appointment__starts_at", "setting__time_zone", "invitations_sent_on",
                     "papers_circulated_on", "key_worker_invited_on")
    )
    return SourceRead(rows, lambda rows: shape(
        {r[0]: (r[1], r[2], r[3].astimezone(zoneinfo.ZoneInfo(r[4])).date(), r[5:]) for r in rows}))


# Events -------------------------------------------------------------------------------------------------------------


def due_events(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> Iterable[EventRow]:
    def shape(rows) -> list[EventRow]:
        out = []
        for family_id, due_by, *row in rows:
            on = due_by - dt.timedelta(days=HELD_WINDOW_DAYS)
            if start <= on <= end:
                out.append(EventRow(family_id, row[1], on, due_ref(*row)))
        return out

    cycles = SourceRead(_reviews(organisation_id, families).values_list("family_id", "due_by", *DUE_REF_FIELDS), shape)
    return SourceRead.joined(cycles, _first_due_events(organisation_id, start, end, families))


def _first_due_events(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None) -> SourceRead:
    """Children with an EHCP and no cycle, due by their record's dates (those whose record says neither owe nothing
    here: the reviews page asks for the dates)."""
    as_of = end - dt.timedelta(days=LOOKAHEAD_DAYS)
    children = reviews.without_cycle(Child.objects.filter(organisation_id=organisation_id), as_of).filter(
        Q(ehcp_issued_on__isnull=False) | Q(ehcp_last_reviewed_on__isnull=False))
    if families is not None:
        children = children.filter(family_id__in=families)

    def shape(rows) -> list[EventRow]:
        out = []
        for pk, family_id, issued_on, last_reviewed_on in rows:
            due = reviews.next_due(reviews.recorded_last(issued_on, last_reviewed_on))
            on = due - dt.timedelta(days=HELD_WINDOW_DAYS)
            if start <= on <= end:
                out.append(EventRow(family_id, pk, on, first_ref(pk)))
        return out

    return SourceRead(children.values_list("id", "family_id", "ehcp_issued_on", "ehcp_last_reviewed_on"), shape)


def meeting_events(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> Iterable[EventRow]:
    return _meetings(organisation_id, families, lambda meetings: [
        EventRow(family_id, child_id, on, ref(pk))
        for pk, (family_id, child_id, on, _) in meetings.items() if start <= on <= end
    ])


def _transfer_events(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None, post16: bool) -> SourceRead:
    # The school year of the day the engine computes for (it reads events up to LOOKAHEAD_DAYS beyond it).
    as_of = end - dt.timedelta(days=LOOKAHEAD_DAYS)
    qs = (
        Child.objects.filter(organisation_id=organisation_id, has_ehcp=True, enrolled_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)

    def shape(rows) -> list[EventRow]:
        out = []
        for pk, family_id, own, class_year in rows:
            year_group = own or class_year or ""
            if (year_group in reviews.POST_16_YEARS) != post16:
                continue
            deadline = reviews.transfer_deadline(year_group, as_of)
            if deadline is None:
                continue
            on = deadline - dt.timedelta(days=POST16_DAYS if post16 else TRANSFER_DAYS)
            if start <= on <= end:
                out.append(EventRow(family_id, pk, on, f"transfer:{pk}:{deadline.year}"))
        return out

    return SourceRead(qs.values_list("id", "family_id", "year_group", "group__year_group"), shape)


def transfer_events(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> Iterable[EventRow]:
    return _transfer_events(organisation_id, start, end, families, post16=False)


def post16_events(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> Iterable[EventRow]:
    return _transfer_events(organisation_id, start, end, families, post16=True)


# Evidence -----------------------------------------------------------------------------------------------------------


def _before(position: int):
    def fetch(organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None):
        def shape(meetings: dict[int, tuple]) -> list[EvidenceRow]:
            out = []
            for pk, (family_id, child_id, meeting, days) in meetings.items():
                done = days[position]
                if done is None:
                    continue
                on = max(done, meeting - dt.timedelta(days=EARLIEST_BEFORE))
                if start <= on <= end:
                    out.append(EvidenceRow(family_id, child_id, on, f"annualreview:{pk}:{position}"))
            return out

        return _meetings(organisation_id, families, shape)

    return fetch


def held(organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None):
    # A meeting held answers its own cycle's date due (under the reference that date's event has: see due_ref).
    rows = _reviews(organisation_id, families).filter(held_on__gte=start, held_on__lte=end).values_list(
        "family_id", "held_on", *DUE_REF_FIELDS)
    return SourceRead(rows, lambda rows: [EvidenceRow(f, row[1], on, f"{ref(row[0])}:held", about=due_ref(*row))
                                          for f, on, *row in rows])


def transfer_reviews(organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None):
    rows = _reviews(organisation_id, families).filter(held_on__gte=start, held_on__lte=end).values_list(
        "id", "family_id", "child_id", "held_on")
    return SourceRead(rows, lambda rows: [EvidenceRow(f, c, on, f"{ref(pk)}:held") for pk, f, c, on in rows])


def report_sent(organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None):
    # The report answers the meeting of its own review: the event's reference is the review's.
    rows = _reviews(organisation_id, families).filter(report_sent_on__gte=start, report_sent_on__lte=end).values_list(
        "id", "family_id", "child_id", "report_sent_on")
    return SourceRead(rows, lambda rows: [EvidenceRow(f, c, on, f"{ref(pk)}:report", about=ref(pk)) for pk, f, c, on in rows])


def booklet_shared(organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None):
    """The day each pupil booklet was shared (in the setting's time zone), in one query."""
    qs = _reviews(organisation_id, families).filter(booklet_shared_at__isnull=False).values_list(
        "id", "family_id", "child_id", "booklet_shared_at", "setting__time_zone")

    def shape(rows) -> list[EvidenceRow]:
        out = []
        for pk, f, c, at, tz in rows:
            on = at.astimezone(zoneinfo.ZoneInfo(tz)).date()
            if start <= on <= end:
                out.append(EvidenceRow(f, c, on, f"{ref(pk)}:booklet"))
        return out

    return SourceRead(qs, shape)


def _review_url(obligation) -> str:
    """The child's current review (a redirect, so that a list of obligations builds its buttons without a query)."""
    return reverse("meetings:review_of_child", args=[obligation.child_id]) if obligation.child_id else ""


OPEN_REVIEW = EvidenceAction("Open the review", _review_url, "Recorded on the child's annual review page.")


def register() -> None:
    register_events(EventSource(ANNUAL_REVIEW_DUE, "An annual review falls due", due_events, by_family=True))
    register_events(EventSource(ANNUAL_REVIEW_MEETING, "An annual review meeting", meeting_events, by_family=True))
    register_events(EventSource(PHASE_TRANSFER, "A phase transfer year (deadline 15 February)", transfer_events, by_family=True))
    register_events(EventSource(PHASE_TRANSFER_POST16, "A transfer to post-16 (deadline 31 March)", post16_events, by_family=True))
    register_evidence(EvidenceSource(REVIEW_HELD, "The annual review meeting held", held, by_family=True, action=OPEN_REVIEW,
                                     answers_events=True))
    register_evidence(EvidenceSource(INVITATIONS_SENT, "Review invitations sent", _before(0), by_family=True, action=OPEN_REVIEW))
    register_evidence(EvidenceSource(PAPERS_CIRCULATED, "Advice and papers circulated", _before(1), by_family=True, action=OPEN_REVIEW))
    register_evidence(EvidenceSource(KEY_WORKER_INVITED, "The key worker invited to the review", _before(2), by_family=True,
                                     action=OPEN_REVIEW))
    register_evidence(EvidenceSource(REPORT_SENT, "The review report sent", report_sent, by_family=True, action=OPEN_REVIEW,
                                     answers_events=True))
    register_evidence(EvidenceSource(TRANSFER_REVIEW, "A review held before the transfer deadline", transfer_reviews,
                                     by_family=True, action=OPEN_REVIEW))
    register_evidence(EvidenceSource(BOOKLET_SHARED, "The pupil booklet shared", booklet_shared, by_family=True, action=OPEN_REVIEW))
