"""Downloads prepared by the worker: asked for, built once however often the task runs, a failure kept as a message,
removed after their time."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from keyworker.core import export_jobs
from keyworker.core.errors import RuleViolation
from keyworker.core.export_jobs import (
    Built,
    ExportKind,
    access_export,
    export_build,
    export_build_run,
    export_given_up,
    export_request,
    exports_remove_expired,
)
from keyworker.core.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
BUILDS: list[int] = []


def _build(job, progress):
    BUILDS.append(job.pk)
    if job.params.get("fail") == "rule":
        raise RuleViolation("There is nothing to put in it yet.")
    if job.params.get("fail") == "crash":
        raise ValueError("a bug")
    for percent in range(0, 100, 10):
        progress(percent)
    return Built(b"hello " * 10, f"test-{job.params.get('n', 0)}.txt", "text/plain", {"rows": 10})


def _check(actor, job):
    if job.params.get("hidden"):
        raise Http404


@pytest.fixture(autouse=True)
def test_kind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    BUILDS.clear()
    export_jobs.register_export_kind(ExportKind("test", _build, _check))
    yield
    export_jobs._KINDS.pop("test", None)


def ask(world, staff=None, **params):
    return export_request(actor=world.actor(staff or world.headteacher), kind="test", params=params, title="A test",
                          now=NOW)


def test_a_request_is_queued_after_commit_and_built_by_the_task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = ask(world, n=1)
    assert len(callbacks) == 1  # the immediate queue ran it once the request committed
    job.refresh_from_db()
    assert (job.status, job.progress, job.filename, job.size, job.details) == ("done", 100, "test-1.txt", 60, {"rows": 10})
    assert job.file.name == f"exports/{world.org.pk}/{job.pk}/test-1.txt"
    assert default_storage.open(job.file.name).read() == b"hello " * 10
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)


def test_asking_twice_while_it_is_prepared_gives_the_same_one(world):
    first, second = ask(world, n=1), ask(world, n=1)
    assert first.pk == second.pk and ask(world, n=2).pk != first.pk
    assert ask(world, world.deputy, n=1).pk != first.pk  # another person's is their own


def test_the_task_run_twice_builds_one_file(world):
    job = ask(world, n=1)
    assert export_build.enqueue(export_id=job.pk).return_value == "done"
    assert export_build.enqueue(export_id=job.pk).return_value == "nothing to do"
    assert BUILDS == [job.pk]
    _, files = default_storage.listdir(f"exports/{world.org.pk}/{job.pk}")
    assert files == ["test-1.txt"]


def test_a_run_whose_worker_died_is_taken_over_with_one_file_left(world):
    job = ask(world, n=1)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, started_at=NOW)
    default_storage.save(f"exports/{world.org.pk}/{job.pk}/test-1.txt", ContentFile(b"half"))
    assert export_build_run(job.pk, now=NOW + dt.timedelta(minutes=1)) == "nothing to do"  # it may still be running
    assert export_build_run(job.pk, now=NOW + dt.timedelta(hours=1)) == "done"
    _, files = default_storage.listdir(f"exports/{world.org.pk}/{job.pk}")
    assert files == ["test-1.txt"]
    assert default_storage.open(f"exports/{world.org.pk}/{job.pk}/test-1.txt").read() == b"hello " * 10


@pytest.mark.parametrize(("fail", "message"), [
    ("rule", "There is nothing to put in it yet."),
    ("crash", "The file could not be prepared. Ask for it again; if it fails again, ask your administrator."),
])
def test_a_failure_is_kept_as_a_message(world, fail, message):
    job = ask(world, fail=fail)
    assert export_build_run(job.pk, now=NOW) == "failed"
    job.refresh_from_db()
    assert (job.status, job.message, job.file.name) == ("failed", message, "")
    assert export_build_run(job.pk, now=NOW) == "nothing to do"  # not built again


def test_a_build_given_up_after_its_attempts_fails_with_a_message(world):
    job = ask(world, n=1)
    export_given_up({"export_id": job.pk}, 3)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "Preparing the file stopped after 3 attempts; ask your administrator."


def test_only_the_person_who_asked_and_may_still_see_it(world):
    job = ask(world, n=1)
    assert access_export(world.actor(world.headteacher), job.pk) == job
    for staff in (world.deputy, world.outsider):
        with pytest.raises(Http404):
            access_export(world.actor(staff), job.pk)
    hidden = ask(world, hidden=True)
    with pytest.raises(Http404):
        access_export(world.actor(world.headteacher), hidden.pk)


def test_files_and_rows_are_removed_after_their_time(world, settings):
    settings.KEYWORKER_EXPORT_KEEP_HOURS = 2
    job = ask(world, n=1)
    export_build_run(job.pk, now=NOW)
    job.refresh_from_db()
    name = job.file.name
    other = ExportJob.objects.create(organisation_id=world.other_org.pk, requested_by=world.outsider.user, kind="test",
                                     title="Theirs", created_at=NOW - dt.timedelta(days=3))
    assert exports_remove_expired(organisation_id=world.org.pk, as_of=NOW.date(), now=job.expires_at - dt.timedelta(seconds=1)) == 0
    assert ExportJob.objects.filter(pk=job.pk).exists() and default_storage.exists(name)
    exports_remove_expired(organisation_id=world.org.pk, as_of=NOW.date(), now=job.expires_at)
    assert not ExportJob.objects.filter(pk=job.pk).exists() and not default_storage.exists(name)
    assert ExportJob.objects.filter(pk=other.pk).exists()  # another organisation's: its own periodic work
    exports_remove_expired(organisation_id=world.other_org.pk, as_of=NOW.date(), now=NOW)
    assert not ExportJob.objects.filter(pk=other.pk).exists()  # left waiting far past its time
