"""Common transfer file import of many pupils: the preview and the import take the same queries for 10 pupils as
for 40 (new pupils, siblings, a pupil joining a family here, pupils already here with changes, attendance); the
import uses the file as read for the preview, not the XML read again."""

import dataclasses
from xml.sax.saxutils import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.attendance.models import AttendanceYearSummary
from keyworker.imports import ctf_services
from keyworker.imports.ctf_reading import ctf_as_json, ctf_from_json, read_ctf
from keyworker.imports.ctf_sections import ctf_attendance
from keyworker.imports.ctf_services import ctf_confirm, ctf_upload
from keyworker.imports.models import CtfImport, CtfImportStatus
from keyworker.people.models import Carer, Child, ContactRestriction, KeyAspectChange
from keyworker.people.upn import upn_check_letter
from keyworker.testing import make_child, make_family

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def upn(n: int) -> str:
    body = f"93820220{n:04d}"
    return upn_check_letter(body) + body


def pupil(n: int, *, child: Child | None = None, joins: str = "") -> str:
    """A pupil of the file: new (siblings two by two at one address), or `child` with changes; `joins` is the
    e-mail of a carer here, so the new pupil joins that carer's family."""
    surname = escape(child.legal_last_name) if child else f"Okafor{n // 2}"
    forename = child.legal_first_name if child else f"Amara{n}"
    dob = child.date_of_birth.isoformat() if child else f"2016-0{1 + n % 9}-1{n % 9}"
    contacts = "".join(
        f"<Contact><Order>{k}</Order><Surname>{surname}</Surname><Forename>{first}{n // 2}</Forename>"
        f"<Relationship>{code}</Relationship><Responsibility>true</Responsibility><Phones><Phone><TelephoneType>M"
        f"</TelephoneType><PhoneNo>07700 8{n:05d}</PhoneNo></Phone></Phones>"
        f"<Email>{joins if joins and k == 1 else f'carer{n // 2}.{k}@example.org'}</Email>"
        f"<SuppInfo><CourtOrder>{'Y' if k == 2 and n % 10 == 0 else 'N'}</CourtOrder></SuppInfo></Contact>"
        for k, (first, code) in enumerate((("Parent", "PAM"), ("Other", "PAF")), start=1))
    sen = ("<SENhistory><SEN><StartDate>2023-09-04</StartDate><SENprovision>K</SENprovision></SEN><SENneeds><SENneed>"
           "<NeedStartDate>2023-09-04</NeedStartDate><SENtypeRank>1</SENtypeRank><SENtype>SLCN</SENtype></SENneed>"
           "</SENneeds></SENhistory>") if n % 3 == 0 else ""
    return (
        f"<Pupil><UPN>{child.upn if child else upn(n)}</UPN><Surname>{surname}</Surname><Forename>{forename}"
        f"</Forename><DOB>{dob}</DOB><Gender>F</Gender><BasicDetails><NCyearActual>{1 + n % 6}</NCyearActual>"
        f"<Ethnicity>WBRI</Ethnicity><Languages><Type><LanguageType>F</LanguageType><Language>"
        f"{'POL' if n % 2 else 'ENG'}</Language></Type></Languages></BasicDetails>{sen}<Address><BS7666Address>"
        f"<PAON>{n // 2}</PAON><Street>Query Street</Street><PostTown>Westbury</PostTown></BS7666Address>"
        f"<PostCode>WB1 2QS</PostCode></Address><Contacts>{contacts}</Contacts><Attendance><YearData><Year>2025"
        "</Year><LEA>938</LEA><Estab>2015</Estab><SchoolName>Larkfield Primary</SchoolName><SessionsPossible>300"
        f"</SessionsPossible><SessionsAuthorised>{n % 10}</SessionsAuthorised><SessionsAttended>{280 - n % 10}"
        f"</SessionsAttended><SessionsUnauthorised>{n % 5}</SessionsUnauthorised></YearData></Attendance>"
        "<StageAssessments><KeyStage><Stage>KS1</Stage></KeyStage></StageAssessments></Pupil>")


def ctf_file(world, pupils: int, first: int) -> bytes:
    """`pupils` pupils numbered from `first`: one in five already here, one in ten joining a family here."""
    body = []
    for n in range(first, first + pupils):
        if n % 5 == 1:
            family = make_family(world.org, name=f"The Known{n} family")
            body.append(pupil(n, child=make_child(family, world.school, world.class_a, upn=upn(n), year_group="Year 1")))
        elif n % 10 == 2:
            family = make_family(world.org, name=f"The Joined{n} family")
            Carer.objects.filter(family=family).update(email=f"joined{n}@example.org")
            body.append(pupil(n, joins=f"joined{n}@example.org"))
        else:
            body.append(pupil(n))
    return ("<?xml version='1.0' encoding='utf-8'?><CTfile><Header><DocumentName>Common Transfer File</DocumentName>"
            "<CTFversion>19.0</CTFversion><DocumentQualifier>full</DocumentQualifier><SourceSchool><URN>999001</URN>"
            "<SchoolName>Larkfield Primary</SchoolName></SourceSchool></Header>"
            f"<CTFpupilData>{''.join(body)}</CTFpupilData></CTfile>").encode()


def preview_and_import(world, data: bytes) -> tuple[CtfImport, int, int]:
    actor = world.actor(world.admin_office)
    with CaptureQueriesContext(connection) as preview:
        upload = ctf_upload(actor=actor, setting=world.school, name="many.xml", data=data)
    assert upload.status == CtfImportStatus.CHECKED, upload.preview["pupils"]
    with CaptureQueriesContext(connection) as imported:
        done = ctf_confirm(actor=actor, upload=upload)
    return done, len(preview), len(imported)


def test_the_preview_and_the_import_take_the_same_queries_for_10_pupils_as_for_40(world):
    small, small_preview, small_import = preview_and_import(world, ctf_file(world, 10, 0))
    large, large_preview, large_import = preview_and_import(world, ctf_file(world, 40, 100))
    assert small.preview["outcome"]["created"] == 8 and small.preview["outcome"]["updated"] == 2
    assert large.preview["outcome"]["created"] == 32 and large.preview["outcome"]["updated"] == 8
    assert (large_preview, large_import) == (small_preview, small_import)
    assert AttendanceYearSummary.objects.count() == 50
    joined = Child.objects.get(upn=upn(102))
    assert joined.family.name == "The Joined102 family"
    restricted = Carer.objects.filter(organisation=world.org, contact_restriction=ContactRestriction.COURT_ORDER)
    assert restricted.count() == 5  # pupils 0, 100, 110, 120, 130: the second contact of each
    known = Child.objects.get(upn=upn(101))
    assert known.year_group == "Year 6"
    assert KeyAspectChange.objects.filter(child=known, field="first_language", after="Polish").exists()


def test_the_file_as_read_for_the_preview_is_the_file_read_again():
    for name in ("transfer_full.xml", "transfer_partial.xml", "pupil_errors.xml"):
        ctf = read_ctf((FIXTURES / "ctf" / name).read_bytes())
        assert ctf_from_json(ctf_as_json(ctf)) == ctf, name
    assert ctf_from_json({}) is None and ctf_from_json({"format": 0, "pupils": []}) is None


def test_the_import_uses_the_file_as_read_for_the_preview_and_forgets_it(world, monkeypatch):
    section = ctf_attendance()
    checked = []
    monkeypatch.setattr(ctf_services, "ctf_attendance", lambda: dataclasses.replace(
        section, check=lambda data: checked.append(data) or section.check(data)))
    upload = ctf_upload(actor=world.actor(world.admin_office), setting=world.school, name="t.xml",
                        data=ctf_file(world, 4, 300))
    assert upload.parsed["pupils"][0]["first_name"] == "Amara300" and len(checked) == 1
    CtfImport.objects.filter(pk=upload.pk).update(data=b"not read again")
    done = ctf_confirm(actor=world.actor(world.admin_office), upload=upload)
    assert done.preview["outcome"]["created"] == 3 and done.preview["outcome"]["updated"] == 1
    assert len(checked) == 1, "the attendance as checked for the preview"
    assert done.preview["outcome"]["attendance_years"] == 4
    done.refresh_from_db()
    assert done.parsed == {} and bytes(done.data) == b""


def test_a_file_uploaded_before_it_was_kept_as_read_is_read_again(world):
    upload = ctf_upload(actor=world.actor(world.admin_office), setting=world.school, name="t.xml",
                        data=ctf_file(world, 4, 400))
    CtfImport.objects.filter(pk=upload.pk).update(parsed={})
    done = ctf_confirm(actor=world.actor(world.admin_office), upload=upload)
    assert done.preview["outcome"]["created"] == 3 and done.preview["outcome"]["updated"] == 1
