"""EHCP annual reviews: the dates the SEND Code of Practice sets, the reads (scoped to the acting staff member or
carer) and the writes (each step, the meeting, "All about my family", the pupil booklet shared).

The timeline (SEND Code of Practice 2015, chapter 9):
- the plan is reviewed at most 12 months after the last review (the first within 12 months of issue);
- invitations go out, and advice and papers are circulated, at least 2 weeks before the meeting;
- the report goes to the local authority and everyone invited within 2 weeks after it;
- in a phase transfer year the plan is reviewed by 15 February (31 March for a move to post-16).

Transfer years, from the child's year group (the child's own, else their class's): "Nursery" (to school), "Year 6"
(to secondary), by 15 February; "Year 11" (to post-16), by 31 March. The deadline is in the school year (September to
August) holding the day asked about.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import (
    caseload_children,
    caseload_family_ids,
    current_allocations,
    on_roll_between,
)
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.people.carer_access import REVIEWS, CarerAccess
from keyworker.people.models import Carer, Child, ContactRestriction
from keyworker.people.selectors import children_visible_to, families_visible_to
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import (
    AnnualReview,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    FamilyViews,
    FamilyViewsState,
    Invitee,
    InviteeKind,
    InviteeRole,
)
from .services import carers_tell

NOTICE_DAYS = 14          # invitations, advice and papers: at least 2 weeks before the meeting
REPORT_DAYS = 14          # the report: within 2 weeks after it
UPCOMING_WEEKS = 12       # the leaders' list: reviews in the next 12 weeks
FAMILY_VIEWS_MAX = 3000   # characters per answer of "All about my family"
BACKDATE_DAYS = 366       # a step may be recorded late, up to a year back
# Transfer years and the day of the deadline (month, day) in the spring of the school year.
TRANSFER_YEARS = {"Nursery": (2, 15), "Year 6": (2, 15), "Year 11": (3, 31)}
POST_16_YEARS = frozenset({"Year 11"})

INVITATIONS, PAPERS, KEY_WORKER, HELD, REPORT = "invitations", "papers", "key_worker", "held", "report"
STEPS = (INVITATIONS, PAPERS, KEY_WORKER, HELD, REPORT)
STEP_LABELS = {
    INVITATIONS: "Invitations sent",
    PAPERS: "Advice and papers circulated",
    KEY_WORKER: "Key worker invited",
    HELD: "Review meeting held",
    REPORT: "Report sent to the local authority and everyone invited",
}
# The column holding each step's day, and who recorded it.
STEP_FIELDS = {
    INVITATIONS: ("invitations_sent_on", "invitations_sent_by"),
    PAPERS: ("papers_circulated_on", "papers_circulated_by"),
    KEY_WORKER: ("key_worker_invited_on", "key_worker_invited_by"),
    HELD: ("held_on", "held_recorded_by"),
    REPORT: ("report_sent_on", "report_sent_by"),
}
# Steps a member of staff marks with a date (the key worker's invitation is an action of its own).
MARKABLE = (INVITATIONS, PAPERS, HELD, REPORT)


# The timeline -------------------------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the last day of the month when that month is shorter (29 Feb -> 28 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def next_due(last_review_on: dt.date) -> dt.date:
    """The next review at most 12 months after the last."""
    return add_months(last_review_on, 12)


def recorded_last(issued_on: dt.date | None, last_reviewed_on: dt.date | None) -> dt.date | None:
    """What the child's record says the next review counts from before a cycle is opened: the later of the plan's issue
    and its last review held before its reviews were kept here; None when neither is known (no date is made up)."""
    known = [d for d in (issued_on, last_reviewed_on) if d is not None]
    return max(known) if known else None


def first_due(child: Child) -> dt.date | None:
    """For a child with an EHCP and no review cycle yet: the day the review is due, from their record, or None."""
    last = recorded_last(child.ehcp_issued_on, child.ehcp_last_reviewed_on)
    return next_due(last) if last is not None else None


def notice_by(meeting_on: dt.date) -> dt.date:
    """Invitations sent, and advice and papers circulated, by this day: 2 weeks before the meeting."""
    return meeting_on - dt.timedelta(days=NOTICE_DAYS)


def report_by(meeting_on: dt.date) -> dt.date:
    return meeting_on + dt.timedelta(days=REPORT_DAYS)


def year_group_of(child: Child) -> str:
    return child.year_group or (child.group.year_group if child.group_id and child.group else "")


def school_year_start(day: dt.date) -> int:
    """The calendar year the school year holding `day` began in (September to August)."""
    return day.year if day.month >= 9 else day.year - 1


def transfer_deadline(year_group: str, as_of: dt.date) -> dt.date | None:
    """For a child in a transfer year: the day the plan must be reviewed by in the school year holding as_of."""
    when = TRANSFER_YEARS.get((year_group or "").strip())
    if when is None:
        return None
    return dt.date(school_year_start(as_of) + 1, *when)


def meeting_day(review: AnnualReview) -> dt.date | None:
    """The meeting's day in the setting's time zone, or None with no meeting (or a cancelled one)."""
    a = review.appointment
    if a is None or a.status == AppointmentStatus.CANCELLED:
        return None
    return a.starts_at.astimezone(zoneinfo.ZoneInfo(review.setting.time_zone)).date()


# Reads for staff ----------------------------------------------------------------------------------------------------


def reviews_visible_to(actor: Actor) -> QuerySet[AnnualReview]:
    if not actor.is_member:
        return AnnualReview.objects.none()
    return AnnualReview.objects.filter(organisation_id=actor.organisation_id, family_id__in=families_visible_to(actor).values("id"))


def with_details(qs: QuerySet[AnnualReview]) -> QuerySet[AnnualReview]:
    return qs.select_related(
        "child__group", "child__setting", "family", "setting", "appointment", "family_views", "booklet_shared_by",
        "invitations_sent_by", "papers_circulated_by", "key_worker_invited_by", "held_recorded_by", "report_sent_by",
    )


def access_review(actor: Actor, review_id: int) -> AnnualReview:
    review = with_details(reviews_visible_to(actor)).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review")
    return review


def key_worker_of(review: AnnualReview):
    """The family's current key worker in the review's setting (a StaffMember), or None."""
    allocation = (
        current_allocations().filter(family_id=review.family_id, setting_id=review.setting_id).select_related("staff__user").first()
    )
    return allocation.staff if allocation else None


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    due_on: dt.date | None
    done_on: dt.date | None
    done_by: str
    state: str        # done, done_late, overdue, due_soon, to_do, waiting (not possible yet)
    note: str = ""

    @property
    def state_label(self) -> str:
        return STEP_STATE_LABELS[self.state]

    @property
    def icon(self) -> str:
        return STEP_STATE_ICONS[self.state]

    @property
    def is_done(self) -> bool:
        return self.state in ("done", "done_late")


STEP_STATE_LABELS = {"done": "Done", "done_late": "Done late", "overdue": "Overdue", "due_soon": "Due soon",
                     "to_do": "To do", "waiting": "Not yet"}
STEP_STATE_ICONS = {"done": "check", "done_late": "check", "overdue": "warning", "due_soon": "clock", "to_do": "circle",
                    "waiting": "dash"}
DUE_SOON_DAYS = 7


def _state(due_on: dt.date | None, done_on: dt.date | None, as_of: dt.date, possible: bool = True) -> str:
    if done_on is not None:
        return "done_late" if due_on is not None and done_on > due_on else "done"
    if not possible or due_on is None:
        return "waiting"
    if as_of > due_on:
        return "overdue"
    if (due_on - as_of).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "to_do"


def _name(user) -> str:
    return user.full_name if user else ""


def review_steps(review: AnnualReview, as_of: dt.date) -> list[Step]:
    """Each step's due day and state, from the review's own row (no query)."""
    meeting = meeting_day(review)
    notice = notice_by(meeting) if meeting else None
    steps = []
    for code in STEPS:
        day_field, by_field = STEP_FIELDS[code]
        done_on, done_by = getattr(review, day_field), _name(getattr(review, by_field))
        if code == HELD:
            # The label alone: the checklist writes "by <date due>" under it.
            steps.append(Step(code, STEP_LABELS[code], review.due_by, done_on, done_by,
                              _state(review.due_by, done_on, as_of)))
        elif code == REPORT:
            due = report_by(review.held_on) if review.held_on else None
            steps.append(Step(code, STEP_LABELS[code], due, done_on, done_by, _state(due, done_on, as_of, review.held_on is not None),
                              "" if review.held_on else "After the meeting."))
        else:
            steps.append(Step(code, STEP_LABELS[code], notice, done_on, done_by, _state(notice, done_on, as_of, meeting is not None),
                              "" if meeting else "Once the meeting is booked."))
    deadline = transfer_deadline(year_group_of(review.child), as_of)
    if deadline is not None:
        label = f"Transfer review by {on_screen(deadline)}" + (" (post-16)" if year_group_of(review.child) in POST_16_YEARS else "")
        # Met by this cycle's meeting when it is held in the transfer's school year.
        held = review.held_on if review.held_on and school_year_start(review.held_on) == school_year_start(deadline) else None
        steps.append(Step("transfer", label, deadline, held, _name(review.held_recorded_by), _state(deadline, held, as_of)))
    return steps


@dataclass(frozen=True)
class ReviewRow:
    review: AnnualReview | None  # None: no cycle opened yet ("Arrange the annual review", due from the child's record)
    child: Child
    meeting_on: dt.date | None
    overdue: bool
    first_due: dt.date | None = None

    @property
    def due_by(self) -> dt.date | None:
        return self.review.due_by if self.review is not None else self.first_due

    @property
    def family_views_state(self) -> str:
        views = getattr(self.review, "family_views", None) if self.review else None
        return views.get_state_display() if views else FamilyViewsState.NOT_STARTED.label


@dataclass(frozen=True)
class WithoutReview:
    """A child with an EHCP and no review cycle: when the review is due by their record (None: not known)."""

    child: Child
    due_by: dt.date | None
    overdue: bool


@dataclass
class ReviewsList:
    upcoming: list[ReviewRow]
    overdue: list[ReviewRow]
    without: list[WithoutReview]     # children with an EHCP and no review recorded


def _latest_per_child(qs: QuerySet[AnnualReview]) -> dict[int, AnnualReview]:
    out: dict[int, AnnualReview] = {}
    for r in qs.order_by("child_id", "-last_review_on", "-id"):
        out.setdefault(r.child_id, r)
    return out


def reviews_list(actor: Actor, as_of: dt.date) -> ReviewsList:
    """Upcoming in the next 12 weeks (by the meeting, else the date due) and overdue (not held by the date due), of the
    children the actor may see, in three queries."""
    children = list(
        children_visible_to(actor).filter(has_ehcp=True, enrolled_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of)).select_related("group", "family", "setting")
        .order_by("legal_last_name", "legal_first_name", "id")
    )
    latest = _latest_per_child(with_details(reviews_visible_to(actor)).filter(child_id__in=[c.pk for c in children]))
    horizon = as_of + dt.timedelta(weeks=UPCOMING_WEEKS)
    upcoming, overdue, without = [], [], []
    for child in children:
        review = latest.get(child.pk)
        if review is None:
            due = first_due(child)
            without.append(WithoutReview(child, due, due is not None and due < as_of))
            continue
        review.child = child
        meeting = meeting_day(review)
        if review.held_on is None and review.due_by < as_of:
            overdue.append(ReviewRow(review, child, meeting, True))
        elif review.held_on is None and (meeting or review.due_by) <= horizon:
            upcoming.append(ReviewRow(review, child, meeting, False))
    upcoming.sort(key=lambda r: (r.meeting_on or r.review.due_by, r.child.pk))
    overdue.sort(key=lambda r: (r.review.due_by, r.child.pk))
    # Those with a date first, the soonest due first; then those whose dates are not known.
    without.sort(key=lambda w: (w.due_by is None, w.due_by or as_of))
    return ReviewsList(upcoming, overdue, without)


def reviews_of_key_worker(actor: Actor, as_of: dt.date, weeks: int = 6) -> list[ReviewRow]:
    """The key worker's own families' reviews not yet held and due or booked within `weeks`, and the reviews to arrange
    (a child on roll with an EHCP and no cycle, due within `weeks` by their record, or overdue): two queries beside the
    caseload's children, which My week's panels read once for all of them."""
    if not actor.is_member:
        return []
    mine = caseload_family_ids(actor)  # read once for every panel of My week
    if not mine:
        return []
    # Every cycle (a child has one a year), to know which children have none; only what the panel shows of each (the
    # child, the meeting's day, "All about my family"): not every person on the review.
    qs = (AnnualReview.objects.filter(organisation_id=actor.organisation_id, family_id__in=mine)
          .select_related("child", "setting", "appointment", "family_views"))
    horizon = as_of + dt.timedelta(weeks=weeks)
    rows = []
    latest = _latest_per_child(qs)
    for review in latest.values():
        if review.held_on is not None:
            continue
        meeting = meeting_day(review)
        if (meeting or review.due_by) <= horizon:
            rows.append(ReviewRow(review, review.child, meeting, review.due_by < as_of))
    for child in caseload_children(actor):
        if not child.has_ehcp or child.pk in latest or not on_roll_between(child, as_of, as_of):
            continue
        due = first_due(child)
        if due is not None and due <= horizon:
            rows.append(ReviewRow(None, child, None, due < as_of, first_due=due))
    rows.sort(key=lambda r: (r.meeting_on or r.due_by, r.child.pk))
    return rows


def without_cycle(children: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    """Of `children`, those on roll on `as_of` with an EHCP and no annual review cycle at all (one query)."""
    return (children.filter(has_ehcp=True, enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))
            .filter(~Exists(AnnualReview.objects.filter(child_id=OuterRef("pk")))))


# Reads for carers ---------------------------------------------------------------------------------------------------


def reviews_for_carer(access: CarerAccess, as_of: dt.date) -> list[AnnualReview]:
    """The reviews still to hold and those held in the last year, of children on roll in the families whose reviews the
    carer may see (one query)."""
    family_ids = access.family_ids_with(REVIEWS)
    if not family_ids:
        return []
    qs = with_details(
        AnnualReview.objects.filter(family_id__in=family_ids, child__enrolled_on__lte=as_of)
        .filter(Q(child__left_on__isnull=True) | Q(child__left_on__gte=as_of))
        .filter(Q(held_on__isnull=True) | Q(held_on__gte=as_of - dt.timedelta(days=365)))
    )
    return sorted(qs, key=lambda r: (r.due_by, r.pk))


def carer_review(access: CarerAccess, review_id: int, as_of: dt.date) -> AnnualReview:
    """A review the carer may see (else 404)."""
    review = next((r for r in reviews_for_carer(access, as_of) if r.pk == review_id), None)
    if review is None:
        raise Http404("No such review")
    return review


# Writes -------------------------------------------------------------------------------------------------------------


def _refresh(review: AnnualReview, actor: Actor | None) -> None:
    obligations_refresh(organisation_id=review.organisation_id, family_ids={review.family_id},
                        as_of=clock.today(review.setting.time_zone), actor=actor)


def _in_scope(actor: Actor, child: Child) -> None:
    if not actor.is_member or child.organisation_id != actor.organisation_id or not (
        children_visible_to(actor).filter(pk=child.pk).exists()
    ):
        raise Http404("No such child")


def _day(value: dt.date | None, field: str, today: dt.date, *, future: bool = False) -> dt.date:
    if not isinstance(value, dt.date):
        raise RuleViolation("Enter a date, for example 18/11/2026.", rule="date", field=field)
    if not future and value > today:
        raise RuleViolation("The date cannot be in the future: enter today's date or an earlier one.", rule="future_date", field=field)
    if value < today - dt.timedelta(days=BACKDATE_DAYS * 2) or value.year < 1900:
        raise RuleViolation("Enter a date in the last two years (check the year).", rule="old_date", field=field)
    return value


def _bump(review: AnnualReview, fields: list[str]) -> None:
    review.version += 1
    review.save(update_fields=[*fields, "version"])


@transaction.atomic
def review_open(*, actor: Actor, child: Child, last_review_on: dt.date) -> AnnualReview:
    """Start a review cycle for a child with an EHCP: due at most 12 months after the last review."""
    _in_scope(actor, child)
    child = Child.objects.select_related("setting").get(pk=child.pk)
    policies.require_organise_reviews(actor, child.setting_id)
    if not child.has_ehcp:
        raise RuleViolation(f"{child.display_name} has no EHCP: mark the plan on the child's record first.", rule="no_ehcp",
                            field="child")
    today = clock.today(child.setting.time_zone)
    last_review_on = _day(last_review_on, "last_review_on", today)
    try:
        with transaction.atomic():
            review = AnnualReview.objects.create(
                organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
                last_review_on=last_review_on, due_by=next_due(last_review_on), created_by=actor.user,
            )
    except IntegrityError:
        raise RuleViolation(f"A review after {on_screen(last_review_on)} is already recorded for {child.display_name}.",
                            rule="duplicate", field="last_review_on") from None
    FamilyViews.objects.create(organisation_id=review.organisation_id, review=review)
    audit_record(organisation_id=review.organisation_id, actor=actor.user, event_type="annual_review.opened", obj=review,
                 summary=f"Annual review opened for {child.display_name}, due by {on_screen(review.due_by)}")
    _refresh(review, actor)
    return review


@transaction.atomic
def review_schedule(*, actor: Actor, review: AnnualReview, starts_at: dt.datetime, ends_at: dt.datetime, place: str = "") -> AnnualReview:
    """Book (or move) the review meeting: an appointment of kind annual_review with the family invited."""
    policies.require_organise_reviews(actor, review.setting_id)
    review = AnnualReview.objects.select_for_update(of=("self",)).select_related("child", "setting", "appointment").get(pk=review.pk)
    if review.held_on is not None:
        raise RuleViolation("This review has been held: open the next one to book another meeting.", rule="held")
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        raise RuleViolation("Enter the day and time of the meeting.", rule="time", field="starts_at")
    if ends_at <= starts_at:
        raise RuleViolation("The meeting must end after it starts.", rule="ends_before_start", field="ends_at")
    place = (place or "").strip()[:200]
    a = review.appointment
    if a is None or a.status == AppointmentStatus.CANCELLED:
        a = Appointment.objects.create(
            organisation_id=review.organisation_id, setting_id=review.setting_id, kind=AppointmentKind.ANNUAL_REVIEW,
            title=f"Annual review for {review.child.preferred_name or review.child.legal_first_name}", family_id=review.family_id,
            child_id=review.child_id, starts_at=starts_at, ends_at=ends_at, place=place, created_by=actor.user,
        )
        # Every carer but those under a no-contact restriction (one without an e-mail address is told by phone or letter).
        carers = Carer.objects.filter(family_id=review.family_id).exclude(
            contact_restriction=ContactRestriction.NO_CONTACT).order_by("contact_order", "id")
        Invitee.objects.bulk_create([
            Invitee(organisation_id=review.organisation_id, appointment=a, kind=InviteeKind.CARER, role=InviteeRole.FAMILY,
                    carer=c, name=c.full_name, email=c.email)
            for c in carers
        ])
        review.appointment = a
        _bump(review, ["appointment"])
        event = "annual_review.booked"
        carers_tell(a, "new")
    else:
        a.starts_at, a.ends_at, a.place = starts_at, ends_at, place
        a.sequence += 1
        a.version += 1
        a.save(update_fields=["starts_at", "ends_at", "place", "sequence", "version", "updated_at"])
        _bump(review, [])
        event = "annual_review.moved"
        carers_tell(a, "changed")
    audit_record(organisation_id=review.organisation_id, actor=actor.user, event_type=event, obj=review,
                 summary=f"Annual review meeting for {review.child.display_name} on {on_screen(starts_at)}")
    _refresh(review, actor)
    return review


@transaction.atomic
def review_step_mark(*, actor: Actor, review: AnnualReview, step: str, on: dt.date | None = None) -> AnnualReview:
    """Record that a step was done on a day (today by default): invitations sent, papers circulated, meeting held,
    report sent."""
    policies.require_work_on_review(actor, review)
    if step not in MARKABLE:
        raise RuleViolation("Choose a step: invitations, papers, held or report.", rule="step", field="step")
    review = AnnualReview.objects.select_for_update(of=("self",)).select_related("child", "setting", "appointment").get(pk=review.pk)
    today = clock.today(review.setting.time_zone)
    on = _day(on or today, "on", today)
    day_field, by_field = STEP_FIELDS[step]
    if getattr(review, day_field) is not None:
        raise RuleViolation(f"“{STEP_LABELS[step]}” is already recorded.", rule="already_done", field="step")
    if step != HELD and review.appointment_id is None:
        raise RuleViolation("Book the review meeting first.", rule="no_meeting", field="step")
    if step == HELD:
        meeting = meeting_day(review)
        if meeting is not None and on < meeting:
            raise RuleViolation(f"The meeting is booked for {on_screen(meeting)}: it cannot have been held before.",
                                rule="before_meeting", field="on")
        if on < review.last_review_on:
            raise RuleViolation("The meeting cannot be held before the last review.", rule="before_last", field="on")
    if step == REPORT:
        if review.held_on is None:
            raise RuleViolation("Record the meeting as held before the report.", rule="not_held", field="step")
        if on < review.held_on:
            raise RuleViolation("The report cannot be sent before the meeting.", rule="before_meeting", field="on")
    setattr(review, day_field, on)
    setattr(review, by_field, actor.user)
    _bump(review, [day_field, by_field])
    if step == HELD and review.appointment is not None and review.appointment.status == AppointmentStatus.SCHEDULED:
        review.appointment.status = AppointmentStatus.HELD
        review.appointment.save(update_fields=["status", "updated_at"])
    if step == HELD:
        _open_next(review, on, actor)
    audit_record(organisation_id=review.organisation_id, actor=actor.user, event_type=f"annual_review.{step}", obj=review,
                 summary=f"{STEP_LABELS[step]} on {on_screen(on)}: {review.child.display_name}")
    _refresh(review, actor)
    return review


def _open_next(review: AnnualReview, held_on: dt.date, actor: Actor) -> AnnualReview:
    """The next cycle, due 12 months after the meeting just held (asking twice gives the same one)."""
    nxt, created = AnnualReview.objects.get_or_create(
        child_id=review.child_id, last_review_on=held_on,
        defaults={"organisation_id": review.organisation_id, "family_id": review.family_id, "setting_id": review.setting_id,
                  "due_by": next_due(held_on), "created_by": actor.user},
    )
    if created:
        FamilyViews.objects.create(organisation_id=nxt.organisation_id, review=nxt)
        audit_record(organisation_id=nxt.organisation_id, actor=actor.user, event_type="annual_review.opened", obj=nxt,
                     summary=f"Next annual review for {review.child.display_name} due by {on_screen(nxt.due_by)}")
    return nxt


@transaction.atomic
def review_key_worker_invite(*, actor: Actor, review: AnnualReview) -> AnnualReview:
    """Invite the family's key worker to the meeting (SCH-7): an invitee on the appointment, and the day recorded."""
    policies.require_work_on_review(actor, review)
    review = AnnualReview.objects.select_for_update(of=("self",)).select_related("child", "setting", "appointment").get(pk=review.pk)
    if review.appointment_id is None:
        raise RuleViolation("Book the review meeting first.", rule="no_meeting", field="step")
    staff = key_worker_of(review)
    if staff is None:
        raise RuleViolation("The family has no key worker in this setting: allocate one first.", rule="no_key_worker", field="step")
    if review.key_worker_invited_on is not None:
        raise RuleViolation(f"{staff.user.full_name} is already invited.", rule="already_done", field="step")
    Invitee.objects.get_or_create(
        appointment=review.appointment, staff=staff,
        defaults={"organisation_id": review.organisation_id, "kind": InviteeKind.STAFF, "role": InviteeRole.KEY_WORKER,
                  "name": staff.user.full_name, "email": staff.user.email},
    )
    review.key_worker_invited_on = clock.today(review.setting.time_zone)
    review.key_worker_invited_by = actor.user
    _bump(review, ["key_worker_invited_on", "key_worker_invited_by"])
    audit_record(organisation_id=review.organisation_id, actor=actor.user, event_type="annual_review.key_worker_invited",
                 obj=review, summary=f"{staff.user.full_name} invited to {review.child.display_name}'s annual review")
    _refresh(review, actor)
    return review


@transaction.atomic
def review_booklet_share(*, actor: Actor, review: AnnualReview, shared_with: str) -> AnnualReview:
    """The pupil booklet shared with the family (SCH-7): who shared it, when, with whom; the family then opens it in the
    portal."""
    policies.require_work_on_review(actor, review)
    review = AnnualReview.objects.select_for_update(of=("self",)).select_related("child", "setting").get(pk=review.pk)
    shared_with = (shared_with or "").strip()
    if not shared_with:
        raise RuleViolation("Say who in the family it was shared with, for example “Mum, at the review”.",
                            rule="required", field="shared_with")
    if len(shared_with) > 300:
        raise RuleViolation("Keep it to 300 characters or fewer.", rule="too_long", field="shared_with")
    review.booklet_shared_at = clock.now()
    review.booklet_shared_by = actor.user
    review.booklet_shared_with = shared_with
    _bump(review, ["booklet_shared_at", "booklet_shared_by", "booklet_shared_with"])
    audit_record(organisation_id=review.organisation_id, actor=actor.user, event_type="annual_review.booklet_shared",
                 obj=review, summary=f"Pupil booklet for {review.child.display_name} shared with {shared_with}")
    _refresh(review, actor)
    return review


@dataclass(frozen=True)
class Answers:
    going_well: str = ""
    hard: str = ""
    hopes: str = ""
    questions: str = ""


ANSWER_FIELDS = ("going_well", "hard", "hopes", "questions")


def _save_views(review: AnnualReview, answers: Answers, done: bool, user, written_by: str) -> FamilyViews:
    views, _ = FamilyViews.objects.select_for_update().get_or_create(review=review, defaults={"organisation_id": review.organisation_id})
    values = {f: (getattr(answers, f) or "").strip() for f in ANSWER_FIELDS}
    for f, v in values.items():
        if len(v) > FAMILY_VIEWS_MAX:
            raise RuleViolation(f"Keep this to {FAMILY_VIEWS_MAX} characters or fewer.", rule="too_long", field=f)
    if done and not any(values.values()):
        raise RuleViolation("Write something in at least one box before you say it is done.", rule="empty", field="going_well")
    now = clock.now()
    for f, v in values.items():
        setattr(views, f, v)
    if done:
        views.state, views.done_at = FamilyViewsState.DONE, views.done_at or now
    elif any(values.values()):
        views.state, views.done_at = FamilyViewsState.IN_PROGRESS, None
    else:
        views.state, views.done_at = FamilyViewsState.NOT_STARTED, None
    views.updated_at, views.updated_by, views.written_by = now, user, written_by
    views.version += 1
    views.save()
    return views


@transaction.atomic
def family_views_save(*, actor: Actor, review: AnnualReview, answers: Answers, done: bool) -> FamilyViews:
    """The key worker writes down "All about my family" with the family."""
    policies.require_work_on_review(actor, review)
    views = _save_views(review, answers, done, actor.user, "staff")
    audit_record(organisation_id=review.organisation_id, actor=actor.user, event_type="annual_review.family_views_saved",
                 obj=views, summary=f"All about my family ({views.get_state_display().lower()}) for {review.child.display_name}")
    return views


@transaction.atomic
def family_views_save_by_carer(*, access: CarerAccess, review: AnnualReview, answers: Answers, done: bool) -> FamilyViews:
    """A carer fills in "All about my family" in the portal (section REVIEWS; 404 outside it)."""
    access.require(REVIEWS, review.family_id)
    views = _save_views(review, answers, done, access.user, "carer")
    audit_record(organisation_id=review.organisation_id, actor=access.user, event_type="annual_review.family_views_saved",
                 obj=views, summary=f"All about my family ({views.get_state_display().lower()}) by a carer for {review.child.display_name}")
    return views
