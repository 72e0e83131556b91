"""A whole organisation to one archive and back into an installation that no longer holds it: every model's rows,
their content and their files, nothing lost; an archive refused where it would clash, or when it is not one."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from keyworker.contacts.services import contact_record
from keyworker.core import append_only
from keyworker.core.errors import RuleViolation
from keyworker.organisations.archive import organisation_export, organisation_import
from keyworker.testing import carer_account, give_second_factor

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC)


def _count(label: str, org_id: int, ids=None) -> int:
    model = apps.get_model(label)
    names = {f.name for f in model._meta.concrete_fields}
    if "organisation" in names or "organisation_id" in names:
        return model._default_manager.filter(organisation_id=org_id).count()
    if label == "organisations.organisation":
        return model._default_manager.filter(pk=org_id).count()
    return model._default_manager.filter(pk__in=ids).count() if ids is not None else model._default_manager.count()


def _wipe(org, user_ids) -> None:
    from keyworker.accounts.models import User
    from keyworker.demo.builder import _remove_organisation
    from keyworker.organisations.models import OrganisationOwned

    owned = [m for m in apps.get_models() if issubclass(m, OrganisationOwned) and not m._meta.abstract]
    with transaction.atomic(), append_only.lifted():
        for model in apps.get_models():
            names = {f.name for f in model._meta.concrete_fields}
            if "organisation_id" in names and not issubclass(model, OrganisationOwned):
                model._default_manager.filter(organisation_id=org.pk).delete()
        _remove_organisation(org, owned)
        User.objects.filter(pk__in=user_ids).delete()


def test_an_organisation_goes_out_and_comes_back_with_nothing_lost(world, client_for):
    carer = world.family_a.carers.first()
    carer_account(carer, "mum@example.org")
    give_second_factor(world.headteacher.user)
    contact = contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=dt.date(2026, 11, 17),
                             channel="phone", tone="positive", write_up="Phoned mum: Alfie read his first chapter book.",
                             children=[world.child_a], carer=carer)
    from keyworker.imports.models import ImportJob

    job = ImportJob.objects.create(organisation=world.org, kind="children", setting=world.school, original_name="class.csv",
                                   file=default_storage.save("imports/archive-test.csv", ContentFile(b"UPN,Name\n")))
    data = organisation_export(world.org, now=NOW)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    counts = manifest["counts"]
    assert counts["people.child"] >= 2 and counts["contacts.contactlog"] == 1 and counts["core.auditevent"] >= 1
    assert counts["accounts.user"] >= 8 and counts.get("otp_totp.totpdevice", 0) + counts.get("otp_static.staticdevice", 0) >= 1
    assert f"files/{job.file.name}" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    user_ids = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("data/accounts.user.json"))
    user_ids = [u["pk"] for u in user_ids]
    other_before = {label: _count(label, world.other_org.pk) for label in counts if label != "accounts.user"}

    org_id = world.org.pk
    _wipe(world.org, user_ids)
    default_storage.delete(job.file.name)
    assert _count("people.child", org_id) == 0

    loaded = organisation_import(data)
    assert loaded == counts
    for label, n in counts.items():
        model = apps.get_model(label)
        owned = label == "organisations.organisation" or any(
            f.name in {"organisation", "organisation_id"} for f in model._meta.concrete_fields)
        if owned or label == "accounts.user":
            assert _count(label, org_id, user_ids if label == "accounts.user" else None) == n, label
    from keyworker.contacts.models import ContactLog
    from keyworker.people.models import Carer

    back = ContactLog.objects.get(pk=contact.pk)
    assert back.write_up == contact.write_up and list(back.children.values_list("pk", flat=True)) == [world.child_a.pk]
    assert Carer.objects.get(pk=carer.pk).user.email == "mum@example.org"
    assert default_storage.exists(job.file.name)
    assert {label: _count(label, world.other_org.pk) for label in other_before} == other_before  # nobody else touched
    # Staff sign in again where they were.
    assert client_for(world.ta_a).get("/my-week/").status_code == 200
    default_storage.delete(job.file.name)


def test_an_archive_is_refused_where_it_would_clash_or_is_not_one(world, tmp_path):
    data = organisation_export(world.org, now=NOW)
    with pytest.raises(RuleViolation, match="already has the organisation"):
        organisation_import(data)
    with pytest.raises(RuleViolation, match="not an organisation archive"):
        organisation_import(b"PK\x03\x04 not really a zip")
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": 1, "organisation": {"id": 999999, "slug": "elsewhere", "name": "X"},
                                                "counts": {}}))
        z.writestr("files/../../etc/passwd", b"x")
    with pytest.raises(RuleViolation, match="outside its folders"):
        organisation_import(evil.getvalue())
    archive = tmp_path / "org.zip"
    call_command("archive", "export", str(archive), "--organisation", world.org.slug)
    assert zipfile.is_zipfile(archive)
    with pytest.raises(CommandError, match="already has the organisation"):
        call_command("archive", "import", str(archive))
