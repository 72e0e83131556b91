"""Recording marks: one or a whole class session, all or nothing, refusals in words, history kept on change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.attendance.models import AttendanceMark, MarkRevision
from keyworker.attendance.services import MarkEntry, MarksRefused, mark_record, marks_record_bulk
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.people.models import Child
from keyworker.testing import make_child, make_family

WED = dt.date(2026, 11, 18)
MON = dt.date(2026, 11, 16)


def test_record_one_mark(world):
    mark = mark_record(actor=world.actor(world.teacher_a), child=world.child_a, date=WED, session="AM", code="/")
    assert mark.pk and mark.code.code == "/" and mark.recorded_by == world.teacher_a.user
    assert mark.setting_id == world.school.pk and mark.organisation_id == world.org.pk
    assert AuditEvent.objects.filter(event_type="attendance.recorded").count() == 1


def test_codes_and_sessions_are_read_loosely(world):
    mark = mark_record(actor=world.actor(world.ta_a), child=world.child_a, date=WED, session="pm", code=" n ")
    assert (mark.session, mark.code.code) == ("PM", "N")


@pytest.mark.parametrize(("day", "session", "code", "field", "words"), [
    (WED, "AM", "H", "code", "not a register code"),          # retired in 2024
    (WED, "AM", "", "code", "Choose a register code"),
    (WED, "XX", "/", "session", "AM or PM"),
    (dt.date(2026, 11, 14), "AM", "/", "date", "not a school day"),   # Saturday
    (dt.date(2026, 10, 27), "AM", "/", "date", "Holiday"),             # half term
    (dt.date(2026, 11, 19), "AM", "/", "date", "in the future"),
])
def test_refusals(world, day, session, code, field, words):
    with pytest.raises(RuleViolation) as exc:
        mark_record(actor=world.actor(world.teacher_a), child=world.child_a, date=day, session=session, code=code)
    assert exc.value.field == field and words in exc.value.message
    assert not AttendanceMark.objects.exists()


def test_outside_enrolment_is_refused(world):
    late = make_child(make_family(world.org), world.school, world.class_a, enrolled_on=WED)
    left = make_child(make_family(world.org), world.school, world.class_a, enrolled_on=dt.date(2024, 9, 1), left_on=MON)
    actor = world.actor(world.teacher_a)
    with pytest.raises(RuleViolation, match="not on roll"):
        mark_record(actor=actor, child=late, date=MON, session="AM", code="/")
    with pytest.raises(RuleViolation, match="not on roll"):
        mark_record(actor=actor, child=left, date=WED, session="AM", code="/")
    assert mark_record(actor=actor, child=late, date=WED, session="AM", code="/")
    assert mark_record(actor=actor, child=left, date=MON, session="AM", code="/")


def test_class_session_at_once_and_all_or_nothing(world):
    actor = world.actor(world.teacher_a)
    kids = list(Child.objects.filter(group=world.class_a).order_by("id"))
    result = marks_record_bulk(actor=actor, entries=[MarkEntry(c, WED, "AM", "/") for c in kids])
    assert result.created == len(kids) == 2
    with pytest.raises(MarksRefused) as exc:
        marks_record_bulk(actor=actor, entries=[
            MarkEntry(kids[0], MON, "AM", "/", line=2), MarkEntry(kids[1], MON, "AM", "??", line=3),
            MarkEntry(kids[0], MON, "AM", "L", line=4),
        ])
    assert [(p.line, p.field) for p in exc.value.problems] == [(3, "code"), (4, "session")]
    assert "two marks" in exc.value.problems[1].message
    assert AttendanceMark.objects.filter(date=MON).count() == 0


def test_change_needs_a_reason_and_keeps_history(world):
    actor = world.actor(world.teacher_a)
    mark_record(actor=actor, child=world.child_a, date=WED, session="AM", code="N")
    with pytest.raises(RuleViolation, match="say why"):
        mark_record(actor=world.actor(world.admin_office), child=world.child_a, date=WED, session="AM", code="I")
    mark = mark_record(actor=world.actor(world.admin_office), child=world.child_a, date=WED, session="AM", code="I",
                       reason="Mum phoned: tummy bug")
    assert mark.code.code == "I" and mark.recorded_by == world.admin_office.user
    rev = MarkRevision.objects.get()
    assert (rev.previous_code.code, rev.new_code.code, rev.reason) == ("N", "I", "Mum phoned: tummy bug")
    assert rev.changed_by == world.admin_office.user and rev.previous_recorded_by == world.teacher_a.user
    # The same code again is no change and needs no reason.
    result = marks_record_bulk(actor=actor, entries=[MarkEntry(world.child_a, WED, "AM", "I")])
    assert (result.created, result.changed, result.unchanged) == (0, 0, 1)
    assert MarkRevision.objects.count() == 1


def test_who_may_record(world):
    # The other class's teacher: not their class.
    with pytest.raises(MarksRefused, match="not in your class"):
        marks_record_bulk(actor=world.actor(world.teacher_b), entries=[MarkEntry(world.child_a, WED, "AM", "/")])
    # Leaders and the office may, for any class of the setting.
    for staff in (world.headteacher, world.deputy, world.admin_office):
        mark_record(actor=world.actor(staff), child=world.child_b, date=WED, session="AM", code="/")
    # Another organisation's child does not exist.
    other = Child.objects.get(organisation=world.other_org)
    with pytest.raises(MarksRefused, match="No such child"):
        marks_record_bulk(actor=world.actor(world.headteacher), entries=[MarkEntry(other, WED, "AM", "/")])


def test_non_member_is_refused(world):
    from keyworker.accounts.access import Actor

    with pytest.raises(PermissionDenied):
        marks_record_bulk(actor=Actor(user=world.teacher_a.user, staff=None), entries=[MarkEntry(world.child_a, WED, "AM", "/")])


def test_empty_batch_is_refused(world):
    with pytest.raises(RuleViolation, match="no marks"):
        marks_record_bulk(actor=world.actor(world.teacher_a), entries=[])


def test_bulk_query_count_is_fixed(world, django_assert_max_num_queries):
    actor = world.actor(world.teacher_a)
    for _ in range(20):
        make_child(make_family(world.org), world.school, world.class_a)
    kids = list(Child.objects.filter(group=world.class_a))
    with django_assert_max_num_queries(14):
        marks_record_bulk(actor=actor, entries=[MarkEntry(c, WED, "AM", "/") for c in kids])
