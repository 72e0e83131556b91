"""Commands that take --organisation SLUG: not needed with one organisation; with several, an error listing them."""

import pytest
from django.core.management import CommandError, call_command

from keyworker.organisations.commands import organisation_for_command
from keyworker.organisations.services import organisation_create

pytestmark = pytest.mark.django_db


def test_no_organisation_yet_says_how_to_make_one():
    with pytest.raises(CommandError, match="keyworker setup"):
        organisation_for_command(None)


def test_the_only_organisation_needs_no_slug():
    org = organisation_create(name="Oak School", slug="oak-school")
    assert organisation_for_command(None) == org
    assert organisation_for_command("oak-school") == org
    assert organisation_for_command("OAK-SCHOOL") == org


def test_several_organisations_and_none_named_lists_the_slugs():
    organisation_create(name="Oak School", slug="oak-school")
    organisation_create(name="Ash Nursery", slug="ash-nursery")
    with pytest.raises(CommandError) as refused:
        organisation_for_command(None)
    assert "--organisation" in str(refused.value)
    assert "ash-nursery (Ash Nursery), oak-school (Oak School)" in str(refused.value)
    with pytest.raises(CommandError, match="No organisation with the slug “elm”.*oak-school"):
        organisation_for_command("elm")


def test_compliance_and_import_without_a_slug(tmp_path):
    from keyworker.testing import make_setting

    org = organisation_create(name="Oak School", slug="oak-school")
    make_setting(org, name="Oak School")
    call_command("compliance", "--format", "json", "--as-of", "2026-11-18")  # the only organisation
    staff = tmp_path / "staff.csv"
    staff.write_text("First name,Last name,E-mail,Role\nAmy,Ash,amy@example.org,teacher\n", encoding="utf-8")
    call_command("import", "staff", str(staff), "--setting", "Oak School", "--dry-run", "--no-progress")
    organisation_create(name="Ash Nursery", slug="ash-nursery")
    for args in (["compliance"], ["import", "staff", str(staff), "--setting", "Oak School", "--no-progress"]):
        with pytest.raises(CommandError, match="several organisations.*ash-nursery"):
            call_command(*args)
