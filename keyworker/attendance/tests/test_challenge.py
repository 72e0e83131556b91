"""Challenging absences: the unexplained-absence event, the follow-up evidence, obligations refreshed as marks are
recorded, and the key worker's My week panel."""

import datetime as dt

import pytest
from django.urls import reverse

from keyworker.attendance.challenge import (
    ATTENDANCE_FOLLOW_UP,
    UNEXPLAINED_ABSENCE,
    absences_to_challenge,
    follow_up_contacts,
    unexplained_absences,
    week_panel,
)
from keyworker.attendance.services import mark_record
from keyworker.caseload.selectors import caseload_family_ids
from keyworker.contacts.models import Channel, ContactLog, Tone
from keyworker.core.clock import now as clock_now
from keyworker.standards.evidence import event_source, evidence_source
from keyworker.standards.models import Cadence, Obligation, Subject
from keyworker.standards.testing import make_standard
from keyworker.testing import make_child

from .factories import put

WED = dt.date(2026, 11, 18)
MON = dt.date(2026, 11, 16)


def contact(world, family, day, voided=False, absence=None):
    """A contact; `absence` = (child, day) makes it the follow-up of that absence."""
    about = {"absence_child": absence[0], "absence_on": absence[1]} if absence else {}
    return ContactLog.objects.create(
        organisation=world.org, family=family, setting=world.school, author=world.ta_a, happened_on=day, channel=Channel.PHONE,
        tone=Tone.NEUTRAL, write_up="Phoned about the absence this morning.", voided_at=clock_now() if voided else None, **about,
    )


def test_sources_are_registered():
    assert event_source(UNEXPLAINED_ABSENCE).label == "An unexplained absence"
    source = evidence_source(ATTENDANCE_FOLLOW_UP)
    assert source.label == "An attendance follow-up" and source.by_family
    # A follow-up answers the absence it is about, and says so.
    assert source.answers_events and source.action.label == "Record the follow-up"
    assert "that absence" in source.action.meets


def test_an_event_per_child_per_day_with_an_unauthorised_mark(world, django_assert_num_queries):
    for session, code in (("AM", "N"), ("PM", "O")):
        put(world.child_a, MON, session, code)
    put(world.child_a, WED, "AM", "G")
    put(world.child_b, WED, "AM", "U")
    put(world.child_b, MON, "AM", "I")   # authorised: not an event
    put(world.child_b, MON, "PM", "/")
    with django_assert_num_queries(1):
        rows = list(unexplained_absences(world.org.pk, MON, WED))
    got = sorted((r.child_id, r.on) for r in rows)
    assert got == sorted([(world.child_a.pk, MON), (world.child_a.pk, WED), (world.child_b.pk, WED)])
    assert all(r.family_id == (world.family_a.pk if r.child_id == world.child_a.pk else world.family_b.pk) for r in rows)
    assert list(unexplained_absences(world.other_org.pk, MON, WED)) == []


def test_a_follow_up_is_a_contact_about_that_child_and_that_absence(world, django_assert_num_queries):
    sibling = make_child(world.family_a, world.school, world.class_b)
    about_alfie = contact(world, world.family_a, WED, absence=(world.child_a, MON))
    contact(world, world.family_a, WED)                                               # about a science lesson: no absence
    contact(world, world.family_b, WED, voided=True, absence=(world.child_b, MON))    # voided
    contact(world, world.family_a, MON, absence=(sibling, WED))                       # dated before the absence
    with django_assert_num_queries(1):
        rows = list(follow_up_contacts(world.org.pk, MON, WED, {}, families={world.family_a.pk, world.family_b.pk}))
    # One row, for Alfie only (not his sibling), naming the absence it answers.
    assert [(r.family_id, r.child_id, r.on, r.ref, r.about) for r in rows] == [
        (world.family_a.pk, world.child_a.pk, WED, f"contact:{about_alfie.pk}", f"abs{world.child_a.pk}-20261116"),
    ]
    assert list(follow_up_contacts(world.org.pk, MON, WED, {}, families={world.family_b.pk})) == []
    assert list(follow_up_contacts(world.other_org.pk, MON, WED, {})) == []
    # The same reference as the absence event it answers.
    put(world.child_a, MON, "AM", "N")
    assert [e.ref for e in unexplained_absences(world.org.pk, MON, MON)] == [rows[0].about]


def test_recording_an_absence_creates_the_challenge_and_a_contact_meets_it(world):
    make_standard(world.org, ATTENDANCE_FOLLOW_UP, clause="SCH-5", cadence=Cadence.AFTER_EVENT, cadence_n=1,
                  event=UNEXPLAINED_ABSENCE, subject=Subject.CHILD)
    mark_record(actor=world.actor(world.teacher_a), child=world.child_a, date=WED, session="AM", code="N")
    obligation = Obligation.objects.get(child=world.child_a)
    assert (obligation.period_start, obligation.due_on, obligation.met_on) == (WED, WED + dt.timedelta(days=1), None)
    assert obligation.responsible_staff == world.ta_a
    # Present children raise nothing.
    mark_record(actor=world.actor(world.teacher_b), child=world.child_b, date=WED, session="AM", code="/")
    assert not Obligation.objects.filter(child=world.child_b).exists()
    from keyworker.contacts.services import contact_record

    # A positive contact about something else does not challenge the absence.
    contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=WED, channel=Channel.PHONE,
                   tone=Tone.POSITIVE, write_up="Alfie did brilliantly in his science lesson today, well done.")
    obligation.refresh_from_db()
    assert obligation.met_on is None
    contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=WED, channel=Channel.PHONE,
                   tone=Tone.NEUTRAL, write_up="Mum says Alfie has a temperature and will be back tomorrow.",
                   absence_child=world.child_a, absence_on=WED)
    obligation.refresh_from_db()
    assert obligation.met_on == WED


def test_correcting_the_absence_removes_the_challenge(world):
    make_standard(world.org, ATTENDANCE_FOLLOW_UP, clause="SCH-5", cadence=Cadence.AFTER_EVENT, cadence_n=1,
                  event=UNEXPLAINED_ABSENCE, subject=Subject.CHILD)
    mark_record(actor=world.actor(world.teacher_a), child=world.child_a, date=WED, session="AM", code="N")
    assert Obligation.objects.filter(child=world.child_a).exists()
    mark_record(actor=world.actor(world.admin_office), child=world.child_a, date=WED, session="AM", code="M",
                reason="Dentist: letter seen")
    assert not Obligation.objects.filter(child=world.child_a).exists()


def test_key_workers_panel(world, client_for, django_assert_max_num_queries):
    put(world.child_a, WED, "AM", "N")
    put(world.child_b, WED, "AM", "N")     # teacher_b's family
    put(world.child_a, MON, "AM", "O")     # not today
    actor = world.actor(world.ta_a)
    with actor.reads_shared():
        caseload_family_ids(actor)  # My week reads the caseload once for every panel
        with django_assert_max_num_queries(2):
            items = absences_to_challenge(actor, WED)
    assert [(i.mark.child_id, i.followed_up) for i in items] == [(world.child_a.pk, False)]
    contact(world, world.family_a, WED)  # not about the absence
    assert not absences_to_challenge(actor, WED)[0].followed_up
    contact(world, world.family_a, WED, absence=(world.child_a, WED))
    assert absences_to_challenge(actor, WED)[0].followed_up
    assert week_panel(world.actor(world.headteacher), WED) is None
    assert week_panel(world.actor(world.teacher_b), MON) is None
    body = client_for(world.ta_a).get(reverse("week:my_week")).content.decode()
    assert "Absences to challenge today" in body and "Alfie Adams" in body and "Followed up" in body
    body = client_for(world.teacher_b).get(reverse("week:my_week")).content.decode()
    assert "Absences to challenge today" in body and "Alfie Adams" not in body


@pytest.mark.parametrize("persona", ["teacher_a", "admin_office"])
def test_panel_not_shown_without_absences(world, client_for, persona):
    body = client_for(world.personas[persona]).get(reverse("week:my_week")).content.decode()
    assert "Absences to challenge today" not in body


def test_the_update_after_one_record_reads_that_familys_absences_only(world):
    from keyworker.standards.evidence import event_source

    assert event_source(UNEXPLAINED_ABSENCE).by_family
    put(world.child_a, MON, "AM", "N")
    put(world.child_b, WED, "AM", "U")
    everyone = list(unexplained_absences(world.org.pk, MON, WED))
    assert {e.family_id for e in everyone} == {world.family_a.pk, world.family_b.pk}
    theirs = list(unexplained_absences(world.org.pk, MON, WED, families={world.family_b.pk}))
    assert [(e.child_id, e.on) for e in theirs] == [(world.child_b.pk, WED)]
    assert list(unexplained_absences(world.org.pk, MON, WED, families=set())) == []
