"""What a person sees when an upload is refused (finding 7): a message on the page, an error line from the command,
never a 500; and that an import's file is removed once the import ends, or after the retention time."""

import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from keyworker.core import clock as kw_clock
from keyworker.core.periodic import periodic_tasks
from keyworker.imports import services
from keyworker.imports.models import ImportJob, ImportStatus

from . import files
from .conftest import FIXTURES, sample

pytestmark = pytest.mark.django_db


def post_file(client, world, name, data, kind="children"):
    return client.post(reverse("imports:start"), {
        "kind": kind, "setting": world.school.pk, "file": SimpleUploadedFile(name, data),
    })


def stored_files(media_root) -> list:
    folder = media_root / "imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# Refusals on the page, from the command ----------------------------------------------------------------------------


def test_a_file_past_the_size_limit_is_dropped_while_uploading_and_the_page_says_why(world, client_for, settings,
                                                                                      media_root):
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    client = client_for(world.admin_office)
    response = post_file(client, world, "big.csv", b"Forename,Surname\n" + b"Amy,Smith\n" * 150_000)
    html = response.content.decode()
    assert response.status_code == 400 and "The file is larger than 1 MB. Split it into smaller files." in html
    assert "This field is required" not in html and "Up to 1 MB." in html
    assert not ImportJob.objects.exists() and not stored_files(media_root)


def test_a_workbook_bomb_on_the_page_is_a_form_error_not_a_500(world, client_for, settings, media_root):
    settings.KEYWORKER_UPLOAD_MAX_UNZIPPED_MB = 50
    client = client_for(world.admin_office)
    response = post_file(client, world, "bomb.xlsx", files.one_row_bomb(cells=1_000_000))
    assert response.status_code == 400 and "more than 16,384 cells" in response.content.decode()
    response = post_file(client, world, "strings.xlsx", files.shared_strings_bomb(chars=60 * 1024 * 1024))
    assert response.status_code == 400 and "unzips to more than" in response.content.decode()
    assert not ImportJob.objects.exists() and not stored_files(media_root)


def test_the_command_refuses_with_an_error_line(world, settings, tmp_path):
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    big = tmp_path / "big.csv"
    big.write_bytes(b"Forename,Surname\n" + b"Amy,Smith\n" * 150_000)
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(files.one_row_bomb(cells=1_000_000))
    for path, words in ((big, "larger than 1 MB"), (bomb, "more than 16,384 cells")):
        with pytest.raises(CommandError, match=words):
            call_command("import", "children", str(path), "--organisation", world.org.slug, "--setting", "Test Primary",
                         "--no-progress", stdout=StringIO(), stderr=StringIO())
    assert not ImportJob.objects.exists()


def test_a_valid_file_still_imports_under_the_limits(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.admin_office)
    post_file(client, world, "children_good.xlsx", sample("children_good.xlsx"))
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), {key: str(col) for key, col in job.mapping.items()})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "Imported 20 children" in response.content.decode()


# The file of an import ------------------------------------------------------------------------------------------------


def _checked_job(world):
    job = services.import_upload(actor=None, setting=world.school, kind="children", name="children_good.csv",
                                 data=sample("children_good.csv"))
    return services.import_map(actor=None, job=job, mapping=job.mapping)


def test_the_file_is_deleted_once_the_import_is_done(world, media_root, django_capture_on_commit_callbacks):
    job = _checked_job(world)
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_start(actor=None, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and not job.file and not stored_files(media_root)


def test_the_file_is_deleted_once_the_import_is_refused(world, media_root, django_capture_on_commit_callbacks):
    job = services.import_upload(actor=None, setting=world.school, kind="children", name="children_bad.csv",
                                 data=(FIXTURES / "children_bad.csv").read_bytes())
    job = services.import_map(actor=None, job=job, mapping=job.mapping)
    assert job.status == ImportStatus.FAILED and stored_files(media_root)  # still there: the columns can be changed
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)  # run anyway: refused, row by row
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_run(actor=None, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.message.startswith("Nothing was imported")
    assert not job.file and not stored_files(media_root)


def test_with_a_retention_time_the_worker_removes_the_file_once_it_has_passed(world, media_root, settings, clock,
                                                                               django_capture_on_commit_callbacks):
    settings.KEYWORKER_UPLOAD_RETENTION_HOURS = 2
    job = services.import_start(actor=None, job=_checked_job(world))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.file and len(stored_files(media_root)) == 1
    now = kw_clock.now()
    assert services.import_files_remove_expired(organisation_id=world.org.pk, now=now + dt.timedelta(hours=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        removed = services.import_files_remove_expired(organisation_id=world.org.pk, now=now + dt.timedelta(hours=3))
    job.refresh_from_db()
    assert removed == 1 and not job.file and not stored_files(media_root)


def test_an_upload_left_unimported_is_removed_after_a_day_by_the_worker(world, media_root, clock,
                                                                        django_capture_on_commit_callbacks):
    job = _checked_job(world)
    assert "imports.uploaded_files" in periodic_tasks()
    task = periodic_tasks()["imports.uploaded_files"]
    task(organisation_id=world.org.pk, as_of=kw_clock.today(), now=kw_clock.now() + dt.timedelta(hours=23))
    assert stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        task(organisation_id=world.org.pk, as_of=kw_clock.today(), now=kw_clock.now() + dt.timedelta(hours=25))
    job.refresh_from_db()
    assert not job.file and not stored_files(media_root) and "not imported within a day" in job.message
    # Checking it again says to upload it again, rather than failing.
    from keyworker.core.errors import RuleViolation

    with pytest.raises(RuleViolation, match="Upload the file again"):
        services.import_validate(actor=None, job=job)


def test_the_worker_cycle_runs_the_clean_up_for_every_organisation(world, media_root, clock, settings,
                                                                   django_capture_on_commit_callbacks):
    from keyworker.standards.management.commands.worker import run_cycle

    _checked_job(world)
    ImportJob.objects.update(created_at=kw_clock.now() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        run_cycle(worker_id="test")
    assert not stored_files(media_root) and not ImportJob.objects.exclude(file="").exists()
