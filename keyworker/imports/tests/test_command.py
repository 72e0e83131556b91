"""`keyworker import children|staff FILE`: the same report, a non-zero exit when nothing is imported."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from keyworker.accounts.models import StaffMember
from keyworker.imports.models import ImportJob, ImportStatus
from keyworker.people.models import Carer, Child, Family

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_children(world):
    before = Child.objects.count()
    out = run("children", str(FIXTURES / "children_good.csv"), "--organisation", world.org.slug, "--setting", "test primary")
    assert "Imported 20 children in 14 families with 21 carers; 3 warnings." in out
    assert "Line 10: Rhys Hughes" in out and "The check letter should be" in out
    assert "Legal first name" in out and "← Legal Forename" in out
    assert Child.objects.count() == before + 20
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.uploaded_by is None


def test_xlsx_and_staff(world):
    run("children", str(FIXTURES / "children_good.xlsx"), "--organisation", world.org.slug, "--setting", "Test Primary")
    out = run("staff", str(FIXTURES / "staff.csv"), "--organisation", world.org.slug, "--setting", str(world.school.pk))
    assert "Imported 5 staff members." in out
    assert StaffMember.objects.filter(organisation=world.org, user__email="gwen.price@example.org").exists()


def test_errors_import_nothing_and_exit_non_zero(world):
    before = (Family.objects.count(), Carer.objects.count(), Child.objects.count())
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 12 row"):
        call_command("import", "children", str(FIXTURES / "children_bad.csv"), "--organisation", world.org.slug,
                     "--setting", "Test Primary", "--no-progress", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "Line 6: Mia Wood" in text and "“Willow” is not a class at Test Primary" in text
    assert "Line 15: Lily Shaw" in text and "Date of birth is missing." in text
    assert (Family.objects.count(), Carer.objects.count(), Child.objects.count()) == before


def test_dry_run_writes_nothing(world):
    before = Child.objects.count()
    out = run("children", str(FIXTURES / "children_good.csv"), "--organisation", world.org.slug, "--setting",
              "Test Primary", "--dry-run")
    assert "Dry run, nothing imported. Would import 20 children in 14 families with 21 carers" in out
    assert Child.objects.count() == before and not ImportJob.objects.exists()
    with pytest.raises(CommandError, match="Nothing would be imported"):
        run("children", str(FIXTURES / "children_bad.csv"), "--organisation", world.org.slug, "--setting",
            "Test Primary", "--dry-run")


def test_map_overrides_and_bad_arguments(world, tmp_path):
    f = tmp_path / "pupils.csv"
    f.write_text("Given,Family,Born,Tutor\nAmy,Reed,04/05/2019,Ash\n")
    with pytest.raises(CommandError, match="legal first name"):
        run("children", str(f), "--organisation", world.org.slug, "--setting", "Test Primary")
    out = run("children", str(f), "--organisation", world.org.slug, "--setting", "Test Primary",
              "--map", "Given=legal_first_name", "--map", "family=legal_last_name", "--map", "Born=date_of_birth",
              "--map", "Tutor=group")
    assert "Imported 1 child in 1 family with 0 carers." in out
    amy = Child.objects.get(legal_first_name="Amy")
    assert amy.group == world.class_a and amy.family.mis_reference == ""  # "Family" is the surname, not a household
    assert ImportJob.objects.count() == 1  # the refused mapping left nothing behind
    with pytest.raises(CommandError, match="No organisation"):
        run("children", str(f), "--organisation", "nope", "--setting", "Test Primary")
    with pytest.raises(CommandError, match="has no setting “Nope”. Its settings: Test Primary"):
        run("children", str(f), "--organisation", world.org.slug, "--setting", "Nope")
    with pytest.raises(CommandError, match="Cannot read"):
        run("children", str(tmp_path / "missing.csv"), "--organisation", world.org.slug, "--setting", "Test Primary")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        run("children", str(empty), "--organisation", world.org.slug, "--setting", "Test Primary")
    with pytest.raises(CommandError, match="column=field"):
        run("children", str(f), "--organisation", world.org.slug, "--setting", "Test Primary", "--map", "Tutor")


def test_progress_bar_is_drawn(world):
    err = StringIO()
    call_command("import", "children", str(FIXTURES / "children_good.csv"), "--organisation", world.org.slug,
                 "--setting", "Test Primary", "--dry-run", stdout=StringIO(), stderr=err)
    assert "Checking" in err.getvalue() and "20/20" in err.getvalue()
