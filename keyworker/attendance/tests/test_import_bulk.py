"""The set-based import: a fixed number of queries whatever the rows, changes with revisions, limits and caps."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.attendance import importing
from keyworker.attendance.importing import marks_import, read_marks_table
from keyworker.attendance.models import AttendanceMark, MarkRevision
from keyworker.core.errors import RuleViolation
from keyworker.organisations.calendar import TermCalendar

from .factories import put


@pytest.fixture
def identified(world):
    world.child_a.upn = "A123456789012"
    world.child_a.save(update_fields=["upn"])
    world.child_b.mis_reference = "MIS-B7"
    world.child_b.save(update_fields=["mis_reference"])
    return world


def _csv(rows: list[tuple[str, dt.date, str, str]]) -> bytes:
    lines = ["UPN,Date,Session,Code"] + [f"{c},{d:%d/%m/%Y},{s},{k}" for c, d, s, k in rows]
    return ("\n".join(lines) + "\n").encode()


def _days(w, start: dt.date, end: dt.date) -> list[dt.date]:
    return TermCalendar.for_setting(w.child_a.setting).school_days_between(start, end)


def test_queries_do_not_grow_with_the_rows(identified):
    w = identified
    actor = w.actor(w.admin_office)
    days = _days(w, dt.date(2026, 11, 2), dt.date(2026, 11, 17))
    small = _csv([("A123456789012", days[0], "AM", "/")])
    big = _csv([(c, d, s, "/" if s == "AM" else "\\") for d in days for s in ("AM", "PM") for c in ("A123456789012", "MIS-B7")])
    with CaptureQueriesContext(connection) as one:
        assert marks_import(actor=actor, name="a.csv", data=small).created == 1
    AttendanceMark.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        report = marks_import(actor=actor, name="b.csv", data=big)
    assert report.ok and report.created == len(days) * 4 > 20
    assert len(many.captured_queries) <= len(one.captured_queries) + 1  # bulk inserts in one batch either way


def test_changes_keep_revisions_and_count(identified):
    w = identified
    day = _days(w, dt.date(2026, 11, 9), dt.date(2026, 11, 13))
    put(w.child_a, day[0], "AM", "N")
    put(w.child_a, day[0], "PM", "\\")
    data = _csv([("A123456789012", day[0], "AM", "M"), ("A123456789012", day[0], "PM", "\\"),
                 ("A123456789012", day[1], "AM", "/")])
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=data, reason="Corrected from the MIS")
    assert (report.created, report.changed, report.unchanged) == (1, 1, 1)
    revision = MarkRevision.objects.select_related("previous_code", "new_code").get()
    assert (revision.previous_code.code, revision.new_code.code, revision.reason, revision.changed_by) == (
        "N", "M", "Corrected from the MIS", w.admin_office.user)
    mark = AttendanceMark.objects.select_related("code").get(child=w.child_a, date=day[0], session="AM")
    assert (mark.code.code, mark.recorded_by, mark.reason) == ("M", w.admin_office.user, "Corrected from the MIS")


def test_many_children_read_existing_marks_by_organisation(identified, monkeypatch):
    w = identified
    monkeypatch.setattr(importing, "MAX_IN_IDS", 0)
    day = _days(w, dt.date(2026, 11, 9), dt.date(2026, 11, 13))[0]
    put(w.child_a, day, "AM", "N")
    put(w.child_b, day, "PM", "N")  # not in the file: read, then skipped
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=_csv([("A123456789012", day, "AM", "M"),
                                                                                  ("A123456789012", day, "PM", "/")]))
    assert (report.created, report.changed) == (1, 1)


def test_a_change_without_a_reason_is_refused(identified):
    w = identified
    day = _days(w, dt.date(2026, 11, 9), dt.date(2026, 11, 13))[0]
    put(w.child_a, day, "AM", "N")
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=_csv([("A123456789012", day, "AM", "M")]), reason="")
    assert not report.ok and report.problems[0].column == "Reason" and "say why" in report.problems[0].message
    assert not MarkRevision.objects.exists()


def test_unauthorised_marks_refresh_the_familys_obligations(identified, monkeypatch):
    w = identified
    seen = []
    monkeypatch.setattr(importing, "obligations_refresh", lambda **kw: seen.append(kw["family_ids"]))
    day = _days(w, dt.date(2026, 11, 9), dt.date(2026, 11, 13))[0]
    marks_import(actor=w.actor(w.admin_office), name="m.csv", data=_csv([("A123456789012", day, "AM", "O"),
                                                                         ("MIS-B7", day, "AM", "/")]))
    assert seen == [{w.child_a.family_id}]


def test_problems_are_capped_and_counted(identified, monkeypatch):
    w = identified
    monkeypatch.setattr(importing, "MAX_PROBLEMS", 2)
    day = _days(w, dt.date(2026, 11, 9), dt.date(2026, 11, 13))[0]
    data = _csv([("NOPE1", day, "AM", "/"), ("NOPE2", day, "AM", "/"), ("NOPE3", day, "AM", "/")])
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=data)
    assert (len(report.problems), report.more_problems, report.problem_count) == (2, 1, 3)


def test_csv_row_limit_is_the_imports_own(settings):
    assert settings.KEYWORKER_UPLOAD_MAX_MARK_ROWS > 100_000  # a year's register for a large school in one file
    settings.KEYWORKER_UPLOAD_MAX_MARK_ROWS = 3
    data = b"UPN,Date,Session,Code\n" + b"A1,16/11/2026,AM,/\n" * 30
    with pytest.raises(RuleViolation, match="more than 3 rows"):
        read_marks_table("m.csv", data)
    table = read_marks_table("m.csv", b"Attendance export\n\nUPN,Date,Session,Code\nA1,16/11/2026,AM,/\n")
    assert table.headers == ["UPN", "Date", "Session", "Code"] and table.lines == [4]


def test_other_settings_day_off_and_future_days(identified):
    w = identified
    future = dt.date(2026, 11, 19)
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=_csv([("A123456789012", future, "AM", "/")]))
    assert "in the future" in report.problems[0].message
    assert not AttendanceMark.objects.exists()


def test_a_mark_recorded_meanwhile_refuses_the_whole_import(identified, monkeypatch):
    w = identified
    days = _days(w, dt.date(2026, 11, 9), dt.date(2026, 11, 13))
    original = importing._check_rows

    def check_then_someone_records(*args, **kwargs):
        checked = original(*args, **kwargs)
        put(w.child_a, days[1], "AM", "/")  # after the check, before the write
        return checked

    monkeypatch.setattr(importing, "_check_rows", check_then_someone_records)
    data = _csv([("A123456789012", days[0], "AM", "/"), ("A123456789012", days[1], "AM", "/")])
    with pytest.raises(RuleViolation, match="recorded by someone else"):
        marks_import(actor=w.actor(w.admin_office), name="m.csv", data=data)
    assert not AttendanceMark.objects.filter(date=days[0]).exists()
