"""Attendance/YearData from a Common Transfer File: kept per child and year, all or nothing, shown on the child page."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyworker.attendance.ctf import ctf_attendance_import, parse_ctf
from keyworker.attendance.models import AttendanceYearSummary
from keyworker.core.errors import RuleViolation

FIXTURE = Path(__file__).parent / "fixtures" / "ctf_attendance.xml"
SAMPLES = Path("/work/shared/testdata/ctf")


@pytest.fixture
def pupils(world):
    world.child_a.upn = "A123456789012"
    world.child_a.save(update_fields=["upn"])
    world.child_b.upn = "B123456789012"
    world.child_b.save(update_fields=["upn"])
    return world


def test_a_file_is_kept_per_child_and_year(pupils):
    w = pupils
    report = ctf_attendance_import(actor=w.actor(w.admin_office), name="hillview.xml", data=FIXTURE.read_bytes())
    assert report.ok and (report.pupils, report.years, report.created, report.updated) == (2, 3, 3, 0)
    assert report.source_school == "Hillview Primary (synthetic)"
    rows = {(s.child_id, s.year): (s.sessions_possible, s.sessions_attended, s.sessions_authorised, s.sessions_unauthorised)
            for s in AttendanceYearSummary.objects.all()}
    assert rows == {(w.child_a.pk, 2025): (380, 361, 12, 7), (w.child_a.pk, 2026): (48, 44, 2, 2),
                    (w.child_b.pk, 2026): (48, 48, 0, 0)}
    first = AttendanceYearSummary.objects.get(child=w.child_a, year=2025)
    assert (first.school_urn, first.school_la_estab, first.school_year, first.attendance_percent) == (
        "900001", "999/2001", "2025/26", pytest.approx(95.0))
    assert str(first.attendance_percent) == "95.0"
    # The same file again replaces, it does not add.
    again = ctf_attendance_import(actor=w.actor(w.admin_office), name="hillview.xml", data=FIXTURE.read_bytes())
    assert (again.created, again.updated) == (0, 3) and AttendanceYearSummary.objects.count() == 3


def test_problems_per_pupil_and_nothing_written(pupils):
    w = pupils
    data = FIXTURE.read_bytes().replace(b"B123456789012", b"Z999999999999").replace(b"<SessionsAttended>361", b"<SessionsAttended>3x1")
    data = data.replace(b"<SessionsAttended>44<", b"<SessionsAttended>47<")
    report = ctf_attendance_import(actor=w.actor(w.admin_office), name="bad.xml", data=data)
    assert not report.ok and AttendanceYearSummary.objects.count() == 0
    got = [(p.position, p.upn, p.message) for p in report.problems]
    assert got[0][:2] == (1, "A123456789012") and "“3x1” is not a whole number" in got[0][2] and "2025/26" in got[0][2]
    assert got[1][:2] == (1, "A123456789012") and "add up to more than the 48" in got[1][2]
    assert got[2][:2] == (2, "Z999999999999") and "No child with UPN" in got[2][2]


def test_another_organisations_child_is_not_found(pupils):
    w = pupils
    from keyworker.people.models import Child

    w.child_b.upn = ""
    w.child_b.save(update_fields=["upn"])
    other = Child.objects.get(organisation=w.other_org)
    other.upn = "B123456789012"
    other.save(update_fields=["upn"])
    report = ctf_attendance_import(actor=w.actor(w.admin_office), name="x.xml", data=FIXTURE.read_bytes())
    assert [p.position for p in report.problems] == [2]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"<CTfile><Header>", "not a readable XML file"),
    (b"<Other/>", "root element should be CTfile"),
    (b"<CTfile><Header/></CTfile>", "no pupils"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CTfile>&a;</CTfile>', "entities"),
])
def test_unreadable_files(data, message):
    with pytest.raises(RuleViolation, match=message):
        parse_ctf(data)


def test_only_importers(pupils):
    with pytest.raises(PermissionDenied):
        ctf_attendance_import(actor=pupils.actor(pupils.teacher_a), name="x.xml", data=FIXTURE.read_bytes())


def test_import_page_and_child_page(pupils, client_for):
    w = pupils
    client = client_for(w.admin_office)
    url = reverse("attendance:import_ctf")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("hillview.xml", FIXTURE.read_bytes().replace(b"B1234", b"Z1234"))})
    assert response.status_code == 400 and "Nothing was imported" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400 and "Choose a Common Transfer File" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("hillview.xml", FIXTURE.read_bytes())}, follow=True)
    assert "Attendance of 2 pupils imported" in response.content.decode()
    page = client_for(w.headteacher).get(reverse("attendance:child", args=[w.child_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Earlier schools" in body and "2025/26" in body and "95.0%" in body
    assert client_for(w.outsider).get(reverse("attendance:child", args=[w.child_a.pk])).status_code == 404


def test_import_page_access(world, client_for):
    assert client_for(world.teacher_a).get(reverse("attendance:import_ctf")).status_code == 403
    # The page imports into the signed-in person's own organisation.
    assert client_for(world.outsider).get(reverse("attendance:import_ctf")).status_code == 200


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="public CTF samples not present")
def test_public_samples_parse():
    for path in sorted(SAMPLES.glob("*.xml")):
        _, pupils = parse_ctf(path.read_bytes())
        root = ET.parse(path).getroot()  # noqa: S314 - trusted test data
        assert len(pupils) == len(root.findall("CTFpupilData/Pupil")), path.name
        for pupil in pupils:
            assert pupil.upn and not pupil.problems, (path.name, pupil.problems)
            for y in pupil.years:
                assert y.attended + y.authorised + y.unauthorised <= y.possible
    _, pupils = parse_ctf((SAMPLES / "gryphon_y12.xml").read_bytes())
    assert [y.year for y in pupils[0].years] == [2010, 2011, 2012, 2013, 2014, 2018, 2019]
    assert (pupils[0].years[-1].possible, pupils[0].years[-1].attended) == (242, 235)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="public CTF samples not present")
def test_public_sample_imports_for_a_known_child(world):
    world.child_a.upn = "Z801209809069"
    world.child_a.save(update_fields=["upn"])
    report = ctf_attendance_import(actor=world.actor(world.admin_office), name="y12.xml",
                                   data=(SAMPLES / "gryphon_y12.xml").read_bytes())
    assert report.ok and report.created == 7


# Hostile transfer files (finding 7) ---------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE CTfile [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
    + ']>\n<CTfile><Header><SourceSchool><SchoolName>&lol9;</SchoolName></SourceSchool></Header></CTfile>\n'
)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8"])
def test_a_transfer_file_with_a_doctype_and_entities_is_refused_in_any_encoding(encoding):
    """A UTF-16 CTF with a DOCTYPE had its internal entity expanded: now nothing in it is expanded."""
    data = BILLION_LAUGHS.replace("UTF-16", encoding.upper()[:6]).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    with pytest.raises(RuleViolation, match="declares a DTD or XML entities"):
        parse_ctf(data)


def test_a_doctype_without_entities_is_refused_too():
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE CTfile SYSTEM "ctf.dtd"><CTfile/>'.encode("utf-16")
    with pytest.raises(RuleViolation, match="DTD"):
        parse_ctf(data)


@pytest.mark.parametrize("encoding", ["utf-16", "iso-8859-1", "utf-8"])
def test_a_valid_transfer_file_still_imports_in_its_declared_encoding(pupils, encoding):
    text = FIXTURE.read_bytes().decode("utf-8")
    text = f'<?xml version="1.0" encoding="{encoding.upper()}"?>' + text.split("?>", 1)[1]
    report = ctf_attendance_import(actor=pupils.actor(pupils.admin_office), name="x.xml", data=text.encode(encoding))
    assert report.ok and report.pupils == 2 and report.source_school == "Hillview Primary (synthetic)"


def test_the_pupil_count_and_the_size_are_limited(settings):
    settings.KEYWORKER_UPLOAD_MAX_ROWS = 3
    many = b"<CTfile><CTFpupilData>" + b"<Pupil><UPN>A1</UPN></Pupil>" * 4 + b"</CTFpupilData></CTfile>"
    with pytest.raises(RuleViolation, match="more than 3 pupils"):
        parse_ctf(many)
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    with pytest.raises(RuleViolation, match="larger than 1 MB"):
        parse_ctf(b"<CTfile>" + b" " * (1024 * 1024 + 1) + b"</CTfile>")


def test_the_page_refuses_a_hostile_file_with_a_message(pupils, client_for, settings):
    client = client_for(pupils.admin_office)
    url = reverse("attendance:import_ctf")
    response = client.post(url, {"file": SimpleUploadedFile("evil.xml", BILLION_LAUGHS.encode("utf-16"))})
    assert response.status_code == 400 and "declares a DTD or XML entities" in response.content.decode()
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    response = client.post(url, {"file": SimpleUploadedFile("big.xml", b"<CTfile>" + b" " * (2 * 1024 * 1024) + b"</CTfile>")})
    assert response.status_code == 400 and "The file is larger than 1 MB" in response.content.decode()
    assert not AttendanceYearSummary.objects.exists()
