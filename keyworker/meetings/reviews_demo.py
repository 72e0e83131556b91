"""Demo annual reviews for the demo school, relative to today: every child with an EHCP has a review cycle (a few overdue,
some in the next 12 weeks); the demo key worker has one child's review in 12 days (invitations sent, papers still due,
"All about my family" not started: the child of the demo carer, keyworker.caseload.demo_story) and another's held last week
("All about my family" done, the booklet shared)."""

import datetime as dt
import random
import zoneinfo

from django.db import transaction

from keyworker.accounts.models import StaffMember
from keyworker.caseload import demo_story as story
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation, SettingKind
from keyworker.people.models import Carer, Child, ContactRestriction

from . import reviews
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

KEY_WORKER_EMAIL = story.KEY_WORKER_EMAIL


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _meeting(review: AnnualReview, day: dt.date, by, status=AppointmentStatus.SCHEDULED) -> Appointment:
    tz = zoneinfo.ZoneInfo(review.setting.time_zone)
    starts = dt.datetime.combine(day, dt.time(14, 0), tzinfo=tz)
    child = review.child
    a = Appointment.objects.create(
        organisation_id=review.organisation_id, setting_id=review.setting_id, kind=AppointmentKind.ANNUAL_REVIEW,
        title=f"Annual review for {child.preferred_name or child.legal_first_name}", family_id=review.family_id,
        child_id=child.pk, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), place="Meeting room 2", status=status,
        created_by=by,
    )
    carers = Carer.objects.filter(family_id=review.family_id).exclude(contact_restriction=ContactRestriction.NO_CONTACT)
    Invitee.objects.bulk_create([
        Invitee(organisation_id=review.organisation_id, appointment=a, kind=InviteeKind.CARER, role=InviteeRole.FAMILY,
                carer=c, name=c.full_name, email=c.email)
        for c in carers
    ])
    review.appointment = a
    return a


def _review(child: Child, last: dt.date, by) -> AnnualReview:
    review = AnnualReview.objects.create(
        organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
        last_review_on=last, due_by=reviews.next_due(last), created_by=by,
    )
    review.child = child
    return review


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2027) -> int:
    """Write the reviews, then recompute the organisation's obligations; returns the reviews written."""
    from keyworker.standards import engine

    today = today or clock.today()
    rng = random.Random(seed)
    children = list(
        Child.objects.filter(organisation=organisation, has_ehcp=True, left_on__isnull=True, setting__kind=SettingKind.SCHOOL,
                             enrolled_on__lte=today).select_related("setting").order_by("family_id", "id")
    )
    if not children:
        return 0
    allocations = list(KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True).select_related("staff__user"))
    staff_of = {a.family_id: a.staff for a in allocations}
    mine_families = set(story.key_worker_allocations(organisation).values_list("family_id", flat=True))
    leader = (StaffMember.objects.filter(organisation=organisation, staff_roles__role__code="deputy_headteacher")
              .select_related("user").first())
    by = leader.user if leader else None
    # The review in 12 days is the story child's, on purpose (its carer is the demo carer); the one held last week is
    # another child of the key worker's.
    chosen = story.story_child(organisation, today)
    first = [c for c in children if chosen is not None and c.pk == chosen.pk]
    mine = first + [c for c in children if c.family_id in mine_families and c not in first][:1]
    written = 0

    if mine:  # the demo key worker's review in 12 days: invitations sent, papers due, "All about my family" not started
        child = mine[0]
        meeting = _weekday(today + dt.timedelta(days=12))
        review = _review(child, reviews.add_months(meeting + dt.timedelta(days=9), -12), by)
        _meeting(review, meeting, by)
        review.invitations_sent_on, review.invitations_sent_by = today - dt.timedelta(days=5), by
        review.save()
        FamilyViews.objects.create(organisation_id=organisation.pk, review=review)
        written += 1
    if len(mine) > 1:  # held last week: "All about my family" done by a carer, the booklet shared by the key worker
        child = mine[1]
        held = today - dt.timedelta(days=9)
        while held.weekday() >= 5:
            held -= dt.timedelta(days=1)
        review = _review(child, reviews.add_months(held + dt.timedelta(days=20), -12), by)
        _meeting(review, held, by, AppointmentStatus.HELD)
        review.invitations_sent_on = review.papers_circulated_on = held - dt.timedelta(days=21)
        review.key_worker_invited_on = held - dt.timedelta(days=21)
        review.invitations_sent_by = review.papers_circulated_by = review.key_worker_invited_by = by
        review.held_on, review.held_recorded_by = held, by
        kw = staff_of.get(child.family_id)
        review.booklet_shared_at = dt.datetime.combine(held, dt.time(14, 40), tzinfo=zoneinfo.ZoneInfo(child.setting.time_zone))
        review.booklet_shared_by = kw.user if kw else by
        review.booklet_shared_with = "Mum, at the review meeting"
        review.save()
        if kw:
            Invitee.objects.create(organisation_id=organisation.pk, appointment=review.appointment, kind=InviteeKind.STAFF,
                                   role=InviteeRole.KEY_WORKER, staff=kw, name=kw.user.full_name, email=kw.user.email, attended=True)
        done_at = dt.datetime.combine(held - dt.timedelta(days=4), dt.time(20, 15), tzinfo=dt.UTC)
        FamilyViews.objects.create(
            organisation_id=organisation.pk, review=review, state=FamilyViewsState.DONE, done_at=done_at, updated_at=done_at,
            written_by="carer", going_well=f"{child.preferred_name or child.legal_first_name} is happier getting on the bus "
            "and loves the sensory room.", hard="Sleep is still difficult, and changes to the routine upset the whole house.",
            hopes="To use the talker at home as well as at school, and to try an after-school club.",
            questions="What support is there for the move to the next class?",
        )
        nxt = _review(child, held, by)  # the next cycle opened when the meeting was recorded as held
        FamilyViews.objects.create(organisation_id=organisation.pk, review=nxt)
        written += 2

    # Every other child with an EHCP: the last review some time in the past year (a few more than a year ago: overdue).
    for child in children:
        if child in mine:
            continue
        last = today - dt.timedelta(days=rng.randint(20, 385))
        review = _review(child, last, by)
        if today <= review.due_by <= today + dt.timedelta(weeks=6):
            _meeting(review, _weekday(review.due_by - dt.timedelta(days=10)), by)
            review.save()
        started = rng.random() < 0.4
        FamilyViews.objects.create(
            organisation_id=organisation.pk, review=review,
            state=FamilyViewsState.IN_PROGRESS if started else FamilyViewsState.NOT_STARTED,
            going_well="Settled well in the new class." if started else "", written_by="carer" if started else "",
            updated_at=clock.now() if started else None,
        )
        written += 1
    engine.recompute(organisation_id=organisation.pk, as_of=today)
    return written
