"""Common transfer file import: the preview field by field, all or nothing, matching by UPN then former UPN, the
changes in the child's history, a court order as a restriction; bad files refused with nothing written; the
round trip of a leaver's CTF, field by field."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from keyworker.attendance.models import AttendanceYearSummary
from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.imports.ctf_export import ctf_document
from keyworker.imports.ctf_reading import read_ctf
from keyworker.imports.ctf_services import ctf_confirm, ctf_import_file, ctf_upload
from keyworker.imports.models import ChildTransferDetails, CtfImport, CtfImportStatus
from keyworker.people.models import Carer, Child, ContactRestriction, Family, KeyAspectChange, KeyAspects
from keyworker.testing import make_setting, make_staff

pytestmark = pytest.mark.django_db

CTF = Path(__file__).resolve().parent.parent / "fixtures" / "ctf"


def ctf(name: str) -> bytes:
    return (CTF / name).read_bytes()


def counts():
    return (Child.objects.count(), Family.objects.count(), Carer.objects.count(), KeyAspects.objects.count(),
            ChildTransferDetails.objects.count(), AttendanceYearSummary.objects.count())


def imported(world, name="transfer_full.xml"):
    plan, outcome = ctf_import_file(actor=world.actor(world.admin_office), setting=world.school, name=name,
                                    data=ctf(name))
    assert outcome is not None, plan.report()
    return plan, outcome


def test_the_preview_lists_every_pupil_and_field_and_writes_nothing(world):
    before = counts()
    plan, outcome = ctf_import_file(actor=world.actor(world.admin_office), setting=world.school, name="t.xml",
                                    data=ctf("transfer_full.xml"), dry_run=True)
    assert outcome is None and counts() == before
    report = plan.report()
    assert report["source_school"] == "Larkfield Primary" and report["counts"]["create"] == 3
    zofia = report["pupils"][0]
    fields = {(c["what"], c["field"]): c["after"] for c in zofia["changes"]}
    assert fields[("Child", "Legal first name")] == "Zofia" and fields[("Child", "Preferred name")] == "Zosia"
    assert fields[("Child", "Year group")] == "Year 5" and fields[("Child", "EHCP")] == "Yes"
    assert fields[("Key aspects", "First language")] == "Polish" and fields[("Key aspects", "Religion")] == "Christian"
    assert "1. ASD; 2. SLCN" == fields[("Transfer details", "SEN needs")]
    assert "Court order" in fields[("New carer", "Tomasz Kowalski")]
    assert any("court order" in w for w in zofia["warnings"])
    assert {"what": "Assessment results", "pupils": 1} in report["not_kept"]
    assert {"what": "Ethnicity", "pupils": 1} in report["not_kept"]
    jan, tolu = report["pupils"][1], report["pupils"][2]
    assert any("check letter should be A" in w for w in jan["warnings"])
    assert any("relationship “XYZ”" in w for w in tolu["warnings"])


def test_the_import_creates_children_families_carers_and_attendance(world):
    _, outcome = imported(world)
    assert (outcome.created, outcome.updated, outcome.attendance_years) == (3, 0, 1)
    zofia = Child.objects.get(organisation=world.org, upn="X938201512001")
    jan = Child.objects.get(organisation=world.org, upn="B938201512003")
    assert zofia.family_id == jan.family_id, "siblings at one address are one family"
    assert zofia.has_ehcp and zofia.preferred_name == "Zosia" and zofia.setting == world.school
    assert zofia.family.address == "12 Orchard Row\nLarkfield\nWestbury\nWB1 2XY"
    carers = list(Carer.objects.filter(family=zofia.family).order_by("contact_order"))
    assert [(c.first_name, c.relationship, c.parental_responsibility) for c in carers] == [
        ("Anna", "mother", True), ("Tomasz", "father", True), ("Bridget", "grandparent", False)]
    tomasz = carers[1]
    assert tomasz.contact_restriction == ContactRestriction.COURT_ORDER and "court order" in tomasz.restriction_notes
    assert tomasz.address.startswith("4 Mill Lane") and tomasz.phone == "07700 900111"
    assert carers[0].address == "" and carers[0].email == "anna.kowalska@example.org"
    details = ChildTransferDetails.objects.get(child=zofia)
    assert details.former_upn == "L938201512002" and details.medical_flag is True and details.gender == "F"
    assert [lang["code"] for lang in details.languages] == ["POL", "ENG"]
    assert details.school_history[0]["name"] == "Larkfield Primary"
    assert KeyAspects.objects.get(child=zofia).first_language == "Polish"
    assert AttendanceYearSummary.objects.get(child=zofia).sessions_attended == 335
    assert AuditEvent.objects.filter(event_type="imports.ctf_imported").count() == 1


def test_a_partial_file_matches_by_former_upn_and_records_each_change(world):
    imported(world)
    zofia = Child.objects.get(organisation=world.org, upn="X938201512001")
    before = counts()
    plan, outcome = imported(world, "transfer_partial.xml")
    entry = plan.report()["pupils"][0]
    assert entry["action"] == "update" and entry["child_id"] == zofia.pk
    changed = {(c["what"], c["field"]): (c["before"], c["after"]) for c in entry["changes"]}
    assert changed[("Child", "UPN")] == ("X938201512001", "M938201612005")
    assert changed[("Child", "Year group")] == ("Year 5", "Year 6")
    assert changed[("Key aspects", "First language")] == ("Polish", "English")
    assert changed[("Carer Anna Kowalska", "Phone")] == ("07700900222", "07700 900444")
    assert ("Child", "Preferred name") not in changed, "a field the partial file leaves out is not blanked"
    assert outcome.updated == 1 and counts()[0] == before[0] and Carer.objects.count() == before[2] + 1
    zofia.refresh_from_db()
    assert zofia.upn == "M938201612005" and zofia.year_group == "Year 6" and zofia.preferred_name == "Zosia"
    assert zofia.has_ehcp, "no SEN history in the partial file: the EHCP stays"
    change = KeyAspectChange.objects.get(child=zofia, field="first_language")
    assert (change.before, change.after, change.changed_by) == ("Polish", "English", world.admin_office.user)
    assert AuditEvent.objects.filter(event_type="child.updated", object_id=str(zofia.pk)).exists()
    tomasz = Carer.objects.get(family=zofia.family, first_name="Tomasz")
    assert tomasz.contact_restriction == ContactRestriction.COURT_ORDER, "a restriction is never lifted by a file"
    again, outcome = imported(world, "transfer_partial.xml")
    assert again.report()["pupils"][0]["action"] == "unchanged" and outcome.unchanged == 1


@pytest.mark.parametrize(("name", "message"), [
    ("malformed.xml", "not a readable XML file"),
    ("billion_laughs.xml", "declares a DTD or XML entities"),
    ("external_entity.xml", "declares a DTD or XML entities"),
    ("not_a_ctf.xml", "not a Common Transfer File"),
    ("old_version.xml", "version 19 or later is needed"),
    ("windows_1252_as_utf8.xml", "says it is UTF-8 but line 4 is not"),
])
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_written(world, name, message):
    before = counts()
    with pytest.raises(RuleViolation) as refused:
        ctf_upload(actor=world.actor(world.admin_office), setting=world.school, name=name, data=ctf(name))
    assert message in refused.value.message and refused.value.field == "file"
    assert counts() == before and not CtfImport.objects.exists()


def test_a_pupil_with_an_error_stops_the_whole_file(world):
    before = counts()
    upload = ctf_upload(actor=world.actor(world.admin_office), setting=world.school, name="e.xml",
                        data=ctf("pupil_errors.xml"))
    assert upload.status == CtfImportStatus.FAILED
    errors = [p["errors"] for p in upload.preview["pupils"]]
    assert errors[0] == [] and errors[1][0].startswith("No date of birth (DOB): a new child needs one")
    assert "is not a date" in errors[2][0]
    with pytest.raises(RuleViolation):
        ctf_confirm(actor=world.actor(world.admin_office), upload=upload)
    assert counts() == before


def test_only_the_office_and_leaders_may_import(world):
    from django.core.exceptions import PermissionDenied
    for persona in (world.ta_a, world.teacher_a):
        with pytest.raises(PermissionDenied):
            ctf_upload(actor=world.actor(persona), setting=world.school, name="t.xml", data=ctf("transfer_full.xml"))
    assert ctf_upload(actor=world.actor(world.headteacher), setting=world.school, name="t.xml",
                      data=ctf("transfer_full.xml")).status == CtfImportStatus.CHECKED


def test_confirming_imports_once_and_forgets_the_file(world):
    actor = world.actor(world.admin_office)
    upload = ctf_upload(actor=actor, setting=world.school, name="t.xml", data=ctf("transfer_full.xml"))
    done = ctf_confirm(actor=actor, upload=upload)
    assert done.status == CtfImportStatus.DONE and bytes(done.data) == b""
    assert done.preview["outcome"]["created"] == 3 and all(p["child_id"] for p in done.preview["pupils"])
    with pytest.raises(RuleViolation):
        ctf_confirm(actor=actor, upload=done)


@time_machine.travel(dt.datetime(2026, 7, 20, 12, tzinfo=dt.UTC), tick=False)
def test_a_leavers_ctf_reimports_elsewhere_with_nothing_lost(world):
    imported(world)
    zofia = Child.objects.get(organisation=world.org, upn="X938201512001")
    anna, _, bridget = Carer.objects.filter(family=zofia.family).order_by("contact_order")
    Carer.objects.filter(pk=anna.pk).update(contact_restriction=ContactRestriction.NO_CONTACT,
                                            restriction_notes="Non-molestation order to 2027: no contact at all.")
    Carer.objects.filter(pk=bridget.pk).update(contact_restriction=ContactRestriction.INFORMATION_ONLY,
                                               restriction_notes="Reports only; decisions with Anna.")
    Carer.objects.create(organisation=world.org, family=zofia.family, first_name="Piotr", last_name="Nowak",
                         relationship="step_parent", contact_order=4)
    data = ctf_document(zofia, as_of=dt.date(2026, 7, 20))
    assert read_ctf(data).pupils[0].errors == []
    elsewhere = make_setting(world.other_org, name="Hillside Academy")
    make_staff(world.other_org, elsewhere, ["admin_office"], name="Olu Office")
    office = world.outsider
    plan, outcome = ctf_import_file(actor=world.actor(office), setting=elsewhere, name="leaver.xml", data=data)
    assert outcome is not None and outcome.created == 1, plan.report()
    copy = Child.objects.get(organisation=world.other_org, upn="X938201512001")
    for name in ("legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "upn", "year_group",
                 "has_ehcp"):
        assert getattr(copy, name) == getattr(zofia, name), name
    assert copy.family.address == zofia.family.address
    for name in ("first_language", "religion"):
        assert getattr(copy.key_aspects, name) == getattr(zofia.key_aspects, name), name
    held, got = ChildTransferDetails.objects.get(child=zofia), ChildTransferDetails.objects.get(child=copy)
    for name in ("former_upn", "middle_names", "preferred_last_name", "gender", "medical_flag", "languages",
                 "sen_history", "sen_needs", "phones"):
        assert getattr(got, name) == getattr(held, name), name
    assert got.school_history[1:] == held.school_history
    assert got.school_history[0]["name"] == "Test Primary"
    carer_fields = ("title", "first_name", "last_name", "relationship", "parental_responsibility", "phone", "email",
                    "address", "contact_order", "contact_restriction", "restriction_notes")
    mine = [[getattr(c, f) for f in carer_fields] for c in Carer.objects.filter(family=zofia.family)]
    theirs = [[getattr(c, f) for f in carer_fields] for c in Carer.objects.filter(family=copy.family)]
    assert sorted(mine) == sorted(theirs)
    assert {c.contact_restriction for c in Carer.objects.filter(family=copy.family)} == {
        ContactRestriction.NO_CONTACT, ContactRestriction.COURT_ORDER, ContactRestriction.INFORMATION_ONLY, ""}
    warnings = " ".join(plan.report()["pupils"][0]["warnings"])
    assert "Anna Kowalska: no contact is recorded" in warnings and "information only" in warnings.lower()
    year_fields = ("year", "school_name", "school_urn", "school_la_estab", "sessions_possible", "sessions_attended",
                   "sessions_authorised", "sessions_unauthorised")
    assert [[getattr(y, f) for f in year_fields] for y in AttendanceYearSummary.objects.filter(child=zofia)] == \
        [[getattr(y, f) for f in year_fields] for y in AttendanceYearSummary.objects.filter(child=copy)]


def test_another_mis_reads_a_no_contact_restriction_as_a_court_order(world):
    imported(world)
    zofia = Child.objects.get(organisation=world.org, upn="X938201512001")
    Carer.objects.filter(family=zofia.family, first_name="Anna").update(
        contact_restriction=ContactRestriction.NO_CONTACT, restriction_notes="")
    contacts = read_ctf(ctf_document(zofia, as_of=dt.date(2026, 7, 20))).pupils[0].contacts
    anna = next(c for c in contacts if c.first_name == "Anna")
    assert anna.court_order and anna.restriction == ContactRestriction.NO_CONTACT
    bridget = next(c for c in contacts if c.first_name == "Bridget")
    assert not bridget.court_order and bridget.restriction == ""


def test_the_export_never_carries_safeguarding_status(world):
    world.child_a.protection_status = "child_protection_plan"
    world.child_a.save()
    data = ctf_document(world.child_a, as_of=dt.date(2026, 7, 20))
    assert b"protection" not in data.lower() and b"Alfie" in data
