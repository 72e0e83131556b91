"""The pages of prepared downloads: the whole organisation's archive asked for, its progress, its download (logged),
only for the person who asked; a failure shown as a message; a fixed number of queries."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.core.export_jobs import export_build_run
from keyworker.core.models import AuditEvent, ExportJob, ExportStatus

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ask_archive(client) -> ExportJob:
    asked = client.post("/exports/organisation/")
    assert asked.status_code == 302 and asked["Location"].startswith("/exports/")
    return ExportJob.objects.get(pk=int(asked["Location"].strip("/").split("/")[-1]))


def test_the_officer_asks_for_the_archive_sees_it_prepared_then_downloads_it(world, client_for):
    client = client_for(world.headteacher)
    page = client.get("/exports/organisation/")
    assert page.status_code == 200 and "Prepare the archive" in page.content.decode()
    job = ask_archive(client)  # queued: the worker has not run yet
    waiting = client.get(f"/exports/{job.pk}/").content.decode()
    # No timed refresh of the whole page (WCAG 2.2.1): its script asks how far it has got and shows it in place.
    assert "Being prepared" in waiting and "http-equiv" not in waiting and "0% done" in waiting
    assert "core/progress" in waiting and f'data-status-url="/exports/{job.pk}/?format=json"' in waiting
    status = client.get(f"/exports/{job.pk}/?format=json").json()
    assert status == {"done": 0, "total": 100, "text": "Being prepared: waiting for its turn. 0% done.",
                      "finished": False, "next": f"/exports/{job.pk}/"}
    assert client.get(f"/exports/{job.pk}/download/").status_code == 302  # nothing to download yet: its page
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    assert "40% done" in client.get(f"/exports/{job.pk}/").content.decode()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED, progress=0)
    assert export_build_run(job.pk, now=NOW) == "done"
    ready = client.get(f"/exports/{job.pk}/").content.decode()
    assert "Download " in ready and "core/progress" not in ready
    assert client.get(f"/exports/{job.pk}/?format=json").json()["finished"] is True
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organisation"]["slug"] == world.org.slug and "core.exportjob" not in manifest["counts"]
    assert AuditEvent.objects.filter(event_type="organisation.archive_downloaded", organisation_id=world.org.pk).count() == 1
    assert f"/exports/{job.pk}/" in client.get("/exports/organisation/").content.decode()  # among their recent ones


def test_nobody_else_finds_it(world, client_for):
    job = ask_archive(client_for(world.headteacher))
    export_build_run(job.pk, now=NOW)
    for staff in (world.deputy, world.admin_office, world.outsider):
        client = client_for(staff)
        assert client.get(f"/exports/{job.pk}/").status_code == 404
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert client_for(world.admin_office).get("/exports/organisation/").status_code == 403
    assert client_for(world.admin_office).post("/exports/organisation/").status_code == 403
    assert not AuditEvent.objects.filter(event_type="organisation.archive_downloaded").exists()


def test_a_failure_is_shown_as_a_message_not_an_error(world, client_for, monkeypatch):
    from keyworker.organisations import archive

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "organisation_export", broken)
    client = client_for(world.headteacher)
    job = ask_archive(client)
    assert export_build_run(job.pk, now=NOW) == "failed"
    page = client.get(f"/exports/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "It could not be prepared" in html and "ask your administrator" in html
    assert "disk full" not in html
    assert client.get(f"/exports/{job.pk}/download/").status_code == 302


def test_a_subject_access_pack_is_for_who_may_still_see_the_child(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"/families/children/{world.child_a.pk}/subject-access/")
    job = ExportJob.objects.get(kind="subject_access")
    assert asked["Location"] == f"/exports/{job.pk}/" and job.status == "done" and job.details["subject"] == "child"
    assert f"/exports/{job.pk}/" in client.get(f"/families/children/{world.child_a.pk}/subject-access/").content.decode()
    assert client_for(world.outsider).get(f"/exports/{job.pk}/download/").status_code == 404
    # The child moved out of the organisation's records: the pack goes with them.
    ExportJob.objects.filter(pk=job.pk).update(params={**job.params, "id": world.child_a.pk + 10_000})
    assert client.get(f"/exports/{job.pk}/").status_code == 404


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_take_the_same_queries_for_one_or_many_exports(world, client_for):
    client = client_for(world.headteacher)
    job = ask_archive(client)
    export_build_run(job.pk, now=NOW)
    few = (queries(client, "/exports/organisation/"), queries(client, f"/exports/{job.pk}/"))
    for n in range(8):
        ExportJob.objects.create(organisation_id=world.org.pk, requested_by=world.headteacher.user,
                                 kind="organisation_archive", title=f"Archive {n}", created_at=NOW, params={"n": n})
    many = (queries(client, "/exports/organisation/"), queries(client, f"/exports/{job.pk}/"))
    assert few == many
