"""The real Common Transfer Files (shared test data) imported whole: pupils, contacts, languages, SEN needs, and
the bad UPN check letters warned about. Skipped when the shared folder is absent."""

from pathlib import Path

import pytest

from keyworker.attendance.models import AttendanceYearSummary
from keyworker.imports.ctf_services import ctf_import_file
from keyworker.imports.models import ChildTransferDetails
from keyworker.people.models import Carer, Child, KeyAspects

CTF_DIR = Path(__file__).resolve().parents[4] / "shared" / "testdata" / "ctf"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CTF_DIR.is_dir() or not any(CTF_DIR.glob("*.xml")), reason="no CTF samples here"),
]


def test_every_real_sample_imports_with_its_quirks_warned_about(world):
    actor = world.actor(world.admin_office)
    warnings = []
    for path in sorted(CTF_DIR.glob("*.xml")):
        plan, outcome = ctf_import_file(actor=actor, setting=world.school, name=path.name, data=path.read_bytes())
        assert outcome is not None, plan.report()
        warnings += [w for p in plan.report()["pupils"] for w in p["warnings"]]
    assert Child.objects.filter(organisation=world.org, upn__in=[
        "Z801209809069", "G335311012004", "U865346313703", "J933207636549", "C706200819999"]).count() == 5
    upn_warnings = [w for w in warnings if w.startswith("UPN ")]
    assert len(upn_warnings) == 3 and all("check letter should be" in w for w in upn_warnings)

    sandy = Child.objects.get(organisation=world.org, upn="U865346313703")
    assert sandy.legal_first_name == "Sandy" and sandy.year_group == "Year 6" and not sandy.has_ehcp
    details = ChildTransferDetails.objects.get(child=sandy)
    assert [n["type"] for n in details.sen_needs] == ["SLCN", "SPLD"]
    assert details.former_upn == "M86534630235G" and details.medical_flag is True
    assert KeyAspects.objects.get(child=sandy).first_language == "English"
    mother = Carer.objects.get(family=sandy.family, relationship="mother")
    assert mother.parental_responsibility and mother.contact_order == 1

    lionel = Child.objects.get(organisation=world.org, upn="G335311012004")
    carers = list(Carer.objects.filter(family=lionel.family).order_by("contact_order"))
    assert [c.first_name for c in carers] == ["Jeanie", "Mac", "Curvel", "Marjery"]
    assert "God's Illa" in lionel.family.address and not lionel.family.address.startswith(" ")
    assert AttendanceYearSummary.objects.filter(child=lionel, year=2019, sessions_possible=40).exists()
