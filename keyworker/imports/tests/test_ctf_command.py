"""`keyworker import ctf` and `keyworker export ctf`: the preview printed, --dry-run writes nothing, errors exit 1."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from keyworker.imports.ctf_reading import read_ctf
from keyworker.people.models import Child

from .test_ctf_import import CTF

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_dry_run_then_import(world):
    before = Child.objects.count()
    out = run("import", "ctf", str(CTF / "transfer_full.xml"), "--setting", "Test Primary",
              "--organisation", world.org.slug, "--dry-run")
    assert "Dry run, nothing imported" in out and "Zofia Kowalska X938201512001 (new)" in out
    assert "check letter should be A" in out and "Not kept: Assessment results (1)" in out
    assert Child.objects.count() == before
    out = run("import", "ctf", str(CTF / "transfer_full.xml"), "--setting", "Test Primary",
              "--organisation", world.org.slug, "--by", world.admin_office.user.email)
    assert "Imported as" in out and "3 new" in out and "(new)" in out
    assert Child.objects.count() == before + 3


def test_errors_and_bad_files_exit_with_a_message(world):
    for name, message in (("pupil_errors.xml", "Nothing was imported"), ("billion_laughs.xml", "DTD")):
        with pytest.raises(CommandError, match=message):
            run("import", "ctf", str(CTF / name), "--setting", "Test Primary", "--organisation", world.org.slug)
    with pytest.raises(CommandError, match="may import"):
        run("import", "ctf", str(CTF / "transfer_full.xml"), "--setting", "Test Primary",
            "--organisation", world.org.slug, "--by", world.ta_a.user.email)


def test_export(world, tmp_path):
    target = tmp_path / "leaver.xml"
    out = run("export", "ctf", "--child", str(world.child_a.pk), "--organisation", world.org.slug, "--out", str(target))
    assert "Wrote the common transfer file of Alfie Adams" in out
    assert read_ctf(target.read_bytes()).pupils[0].first_name == "Alfie"
    with pytest.raises(CommandError, match="has no child"):
        run("export", "ctf", "--child", "999999", "--organisation", world.org.slug)
