"""Importing marks from a CSV export: all or nothing, with a report per row."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from keyworker.attendance.importing import find_columns, marks_import
from keyworker.attendance.models import AttendanceMark
from keyworker.core.errors import RuleViolation

FIXTURES = Path(__file__).parent / "fixtures"
MON = dt.date(2026, 11, 16)


@pytest.fixture
def identified(world):
    world.child_a.upn = "A123456789012"
    world.child_a.save(update_fields=["upn"])
    world.child_b.mis_reference = "MIS-B7"
    world.child_b.save(update_fields=["mis_reference"])
    return world


def test_good_file_is_imported(identified):
    w = identified
    report = marks_import(actor=w.actor(w.admin_office), name="marks.csv", data=(FIXTURES / "marks_good.csv").read_bytes())
    assert report.ok and (report.rows, report.created, report.changed) == (4, 4, 0)
    got = {(m.child_id, m.session): (m.code.code, m.reason) for m in AttendanceMark.objects.select_related("code")}
    assert got == {(w.child_a.pk, "AM"): ("/", "Imported from the MIS"), (w.child_a.pk, "PM"): ("\\", "Imported from the MIS"),
                   (w.child_b.pk, "AM"): ("N", "Imported from the MIS"), (w.child_b.pk, "PM"): ("I", "Mum phoned")}
    first = AttendanceMark.objects.select_related("recorded_by").order_by("id").first()
    assert (first.date, first.recorded_by, first.recorded_at) == (MON, w.admin_office.user, timezone.now())
    # The same file again changes nothing.
    again = marks_import(actor=w.actor(w.admin_office), name="marks.csv", data=(FIXTURES / "marks_good.csv").read_bytes())
    assert again.ok and (again.created, again.changed, again.unchanged) == (0, 0, 4)


def test_bad_file_imports_nothing_and_reports_each_row(identified):
    w = identified
    report = marks_import(actor=w.actor(w.admin_office), name="marks.csv", data=(FIXTURES / "marks_bad.csv").read_bytes())
    assert not report.ok and report.created == 0
    assert [(p.line, p.column) for p in report.problems] == [
        (3, "Child (UPN or MIS id)"), (4, "Date"), (5, "Session"), (6, "Code"), (7, "Date"), (8, "Session"),
    ]
    messages = [p.message for p in report.problems]
    assert "Z999" in messages[0] and "not a school day" in messages[1] and "“H” is not a register code." == messages[3]
    assert "two marks" in messages[5]
    assert not AttendanceMark.objects.exists()


def test_a_correction_in_an_import_keeps_history(identified):
    w = identified
    from .factories import put

    put(w.child_a, MON, "AM", "N")
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=b"UPN,Date,Session,Code\nA123456789012,16/11/2026,AM,M\n")
    assert report.ok and report.changed == 1
    assert AttendanceMark.objects.get(child=w.child_a).revisions.get().previous_code.code == "N"


def test_columns_are_found_by_heading():
    assert find_columns(["Adno", "Attendance date", "AM/PM", "Register code"]) == {"child": 0, "date": 1, "session": 2, "code": 3}
    with pytest.raises(RuleViolation, match="Session, Code"):
        find_columns(["UPN", "Date", "Something"])


def test_unreadable_files(identified):
    w = identified
    with pytest.raises(RuleViolation, match="empty"):
        marks_import(actor=w.actor(w.admin_office), name="m.csv", data=b"")
    with pytest.raises(RuleViolation, match="CSV file"):
        marks_import(actor=w.actor(w.admin_office), name="m.pdf", data=b"x")


def test_import_page(identified, client_for):
    w = identified
    client = client_for(w.admin_office)
    assert client.get(reverse("attendance:import")).status_code == 200
    upload = SimpleUploadedFile("marks.csv", (FIXTURES / "marks_bad.csv").read_bytes(), content_type="text/csv")
    response = client.post(reverse("attendance:import"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "No child with UPN or MIS id" in body
    response = client.post(reverse("attendance:import"), {})
    assert response.status_code == 400 and "Choose a CSV file" in response.content.decode()
    upload = SimpleUploadedFile("marks.csv", (FIXTURES / "marks_good.csv").read_bytes(), content_type="text/csv")
    response = client.post(reverse("attendance:import"), {"file": upload}, follow=True)
    assert "4 marks recorded" in response.content.decode()


def test_import_page_access(world, client_for):
    assert client_for(world.teacher_a).get(reverse("attendance:import")).status_code == 403
    # The page imports into the signed-in person's own organisation: another organisation's head may use it for theirs.
    assert client_for(world.outsider).get(reverse("attendance:import")).status_code == 200


def test_import_only_finds_own_organisations_children(identified):
    w = identified
    from keyworker.people.models import Child

    other = Child.objects.get(organisation=w.other_org)
    other.upn = "B123456789012"
    other.save(update_fields=["upn"])
    report = marks_import(actor=w.actor(w.admin_office), name="m.csv", data=b"UPN,Date,Session,Code\nB123456789012,16/11/2026,AM,/\n")
    assert not report.ok and "No child" in report.problems[0].message


def test_the_marks_page_refuses_hostile_files_with_a_message(identified, client_for, settings):
    """Finding 7: a workbook bomb, a file past the size limit and a line of a million separators are each a message."""
    from keyworker.imports.tests import files

    client = client_for(identified.admin_office)
    url = reverse("attendance:import")
    settings.KEYWORKER_UPLOAD_MAX_UNZIPPED_MB = 50
    bomb = SimpleUploadedFile("marks.xlsx", files.one_row_bomb(cells=1_000_000))
    response = client.post(url, {"file": bomb})
    assert response.status_code == 400 and "more than 16,384 cells" in response.content.decode()
    settings.KEYWORKER_UPLOAD_MAX_COLUMNS = 10
    wide = SimpleUploadedFile("marks.csv", b"UPN,Date,Session,Code\n" + b"," * 200_000 + b"\n")
    response = client.post(url, {"file": wide})
    assert response.status_code == 400 and "Line 2 is longer than" in response.content.decode()
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("marks.csv", b"UPN,Date,Session,Code\n" + b"A1,16/11/2026,AM,/\n" * 80_000)
    response = client.post(url, {"file": big})
    assert response.status_code == 400 and "The file is larger than 1 MB" in response.content.decode()
    assert not AttendanceMark.objects.exists()
