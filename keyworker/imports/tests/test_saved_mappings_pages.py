"""The saved mappings page of the nightly sync: listed with their columns and last run, saved from a finished
import's result page, renamed with the stop threshold checked, deleted; the admin office and leaders only (404 for
anyone else), the organisation's own only."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyworker.core.models import AuditEvent
from keyworker.imports.models import ImportJob, ImportStatus, SavedMapping

from .conftest import sample

pytestmark = pytest.mark.django_db


def finished_import(world, client) -> ImportJob:
    client.post(reverse("imports:start"), {"kind": "children", "setting": world.school.pk, "file": SimpleUploadedFile(
        "children_good.csv", sample("children_good.csv"), content_type="text/csv")})
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), {k: str(v) for k, v in job.mapping.items()})
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    return job


def test_a_finished_imports_mapping_is_saved_for_nightly_imports_and_listed(world, client_for):
    client = client_for(world.admin_office)
    job = finished_import(world, client)
    page = client.get(reverse("imports:result", args=[job.pk]))
    assert "Save this mapping for nightly imports" in page.content.decode()
    bad = client.post(reverse("imports:save_mapping", args=[job.pk]), {"name": "Nightly", "max_leaver_share": "0"})
    assert bad.status_code == 400 and "greater than or equal to 1" in bad.content.decode()
    done = client.post(reverse("imports:save_mapping", args=[job.pk]), {"name": "Nightly SIMS",
                                                                       "max_leaver_share": "15"}, follow=True)
    saved = SavedMapping.objects.get()
    assert (saved.name, saved.max_leaver_share, saved.setting, saved.created_by) == (
        "Nightly SIMS", 15, world.school, world.admin_office.user)
    assert saved.columns["legal_first_name"] == job.headers[job.mapping["legal_first_name"]]
    html = done.content.decode()
    assert "Saved as “Nightly SIMS”" in html and "Not run yet" in html and "Ada Admin" in html
    again = client.post(reverse("imports:save_mapping", args=[job.pk]), {"name": "Nightly SIMS",
                                                                        "max_leaver_share": "10"})
    assert again.status_code == 400 and "already saved as" in again.content.decode()
    assert AuditEvent.objects.filter(event_type="imports.mapping_saved").count() == 1


def mapping(world, **fields) -> SavedMapping:
    values = {"name": "Nightly SIMS", "setting": world.school, "columns": {"legal_first_name": "Forename"},
              "last_run_at": dt.datetime(2026, 11, 17, 2, tzinfo=dt.UTC),
              "last_report": {"file": "sims.csv", "created": 2, "updated": [["Ada", ["class: Ash → Beech"]]],
                              "unchanged": 40, "leavers": ["Ben"], "errors": [], "stopped": ""}} | fields
    return SavedMapping.objects.create(organisation=world.org, **values)


def test_the_list_shows_columns_and_the_last_run(world, client_for, django_assert_max_num_queries):
    mapping(world)
    mapping(world, name="Second", last_run_at=None, last_report={})
    client = client_for(world.headteacher)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("imports:saved_mappings")).content.decode()
    assert "Nightly SIMS" in html and "Legal first name: “Forename”" in html
    assert "2 new, 1 updated, 1 leaving, 40 unchanged" in html and "sims.csv" in html and "Not run yet" in html


def test_rename_with_the_threshold_checked_and_delete(world, client_for):
    saved = mapping(world)
    mapping(world, name="Other")
    client = client_for(world.admin_office)
    url = reverse("imports:saved_mapping", args=[saved.pk])
    assert client.post(url, {"name": "Nightly SIMS", "max_leaver_share": "101"}).status_code == 400
    taken = client.post(url, {"name": "Other", "max_leaver_share": "10"})
    assert taken.status_code == 400 and "already saved as" in taken.content.decode()
    client.post(url, {"name": "Nightly Arbor", "max_leaver_share": "25"})
    saved.refresh_from_db()
    assert (saved.name, saved.max_leaver_share) == ("Nightly Arbor", 25)
    client.post(reverse("imports:saved_mapping_delete", args=[saved.pk]))
    assert not SavedMapping.objects.filter(pk=saved.pk).exists()
    assert AuditEvent.objects.filter(event_type="imports.mapping_deleted", object_id=saved.pk).exists()


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a", "safeguarding_lead"])
def test_others_get_404(world, client_for, persona):
    saved = mapping(world)
    client = client_for(getattr(world, persona))
    assert client.get(reverse("imports:saved_mappings")).status_code == 404
    assert client.get(reverse("imports:saved_mapping", args=[saved.pk])).status_code == 404
    assert client.post(reverse("imports:saved_mapping_delete", args=[saved.pk])).status_code == 404
    assert SavedMapping.objects.filter(pk=saved.pk).exists()


def test_another_organisations_mapping_is_404(world, client_for):
    theirs = SavedMapping.objects.create(organisation=world.other_org, name="Theirs",
                                         setting=world.other_family.children.get().setting)
    client = client_for(world.admin_office)
    assert client.get(reverse("imports:saved_mapping", args=[theirs.pk])).status_code == 404


def test_the_demo_has_one_saved_mapping_with_a_last_run(world, client_for):
    from keyworker.imports.sync_demo import demo_history

    assert demo_history(organisation=world.org) == 1 and demo_history(organisation=world.org) == 0
    html = client_for(world.admin_office).get(reverse("imports:saved_mappings")).content.decode()
    assert "Nightly SIMS export" in html and "2 new, 1 updated, 0 leaving, 118 unchanged" in html
