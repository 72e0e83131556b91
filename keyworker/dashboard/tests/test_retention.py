"""Retention: each kind's period (lengthened, never shortened), the records past it, destroyed only when the data
protection officer approves the number they saw, logged without content; the worker's monthly notice."""

import datetime as dt

import pytest

from keyworker.attendance.models import AttendanceCode, AttendanceMark
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.core.retention import retention_destroy, retention_rule_set, retention_status, years_before
from keyworker.dashboard.retention import retention_notify
from keyworker.notifications.models import Notification

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


def _marks(world, *days):
    from keyworker.attendance.codes import codes_load, england_2024

    codes_load(jurisdiction="england", rows=england_2024())
    code = AttendanceCode.objects.get(jurisdiction="england", code="/")
    for day in days:
        AttendanceMark.objects.create(organisation=world.org, child=world.child_a, setting=world.school, date=day,
                                      session="AM", code=code)


def test_years_before_a_leap_day():
    assert years_before(dt.date(2028, 2, 29), 6) == dt.date(2022, 2, 28)


def test_past_records_are_counted_and_destroyed_only_as_approved(world):
    _marks(world, dt.date(2019, 9, 2), dt.date(2020, 11, 17), dt.date(2020, 11, 18), dt.date(2026, 9, 2))
    status = {s.kind.code: s for s in retention_status(world.org.pk, TODAY)}
    assert status["attendance_marks"].years == 6 and status["attendance_marks"].cutoff == dt.date(2020, 11, 18)
    assert status["attendance_marks"].past == 2
    assert {"child_protection_files", "sen_files"} <= set(status)
    with pytest.raises(RuleViolation, match="not 3 as the page showed"):
        retention_destroy(organisation_id=world.org.pk, kind_code="attendance_marks", as_of=TODAY,
                          approved_by=world.headteacher.user, expected=3)
    assert AttendanceMark.objects.count() == 4
    n = retention_destroy(organisation_id=world.org.pk, kind_code="attendance_marks", as_of=TODAY,
                          approved_by=world.headteacher.user, expected=2)
    assert n == 2 and sorted(AttendanceMark.objects.values_list("date", flat=True)) == [dt.date(2020, 11, 18), dt.date(2026, 9, 2)]
    event = AuditEvent.objects.get(event_type="retention.destroyed")
    assert event.data == {"kind": "attendance_marks", "count": 2, "years": 6, "before": "2020-11-18", "as_of": "2026-11-18"}


def test_a_period_is_lengthened_never_shortened(world):
    _marks(world, dt.date(2019, 9, 2))
    with pytest.raises(RuleViolation, match="never shortened"):
        retention_rule_set(organisation_id=world.org.pk, kind_code="attendance_marks", years=3, by=None)
    retention_rule_set(organisation_id=world.org.pk, kind_code="attendance_marks", years=10, by=None)
    status = {s.kind.code: s for s in retention_status(world.org.pk, TODAY)}
    assert status["attendance_marks"].years == 10 and status["attendance_marks"].lengthened
    assert status["attendance_marks"].past == 0
    other = {s.kind.code: s for s in retention_status(world.other_org.pk, TODAY)}
    assert other["attendance_marks"].years == 6  # another organisation keeps the default


def test_the_page_for_the_data_protection_officer(world, client_for):
    _marks(world, dt.date(2019, 9, 2))
    client = client_for(world.headteacher)
    page = client.get("/retention/")
    html = page.content.decode()
    assert page.status_code == 200 and "Attendance register entries" in html and "1 record" in html
    short = client.post("/retention/", {"kind": "attendance_marks", "years": "2"})
    assert short.status_code == 400 and "never shortened" in short.content.decode()
    done = client.post("/retention/", {"action": "destroy", "kind": "attendance_marks", "expected": "1"}, follow=True)
    assert "Destroyed 1 record" in done.content.decode() and AttendanceMark.objects.count() == 0
    assert "1 attendance register entries past retention destroyed" in done.content.decode()
    assert client_for(world.ta_a).get("/retention/").status_code == 403


def test_the_worker_tells_the_officers_once_a_month(world):
    _marks(world, dt.date(2019, 9, 2))
    now = dt.datetime(2026, 11, 18, 7, tzinfo=dt.UTC)
    told = retention_notify(organisation_id=world.org.pk, as_of=TODAY, now=now)
    assert told >= 1
    note = Notification.objects.filter(kind="retention.past").first()
    assert "Attendance register entries: 1" in note.body and note.link == "/retention/"
    assert retention_notify(organisation_id=world.org.pk, as_of=TODAY + dt.timedelta(days=1), now=now) == 0
    assert retention_notify(organisation_id=world.other_org.pk, as_of=TODAY, now=now) == 0
