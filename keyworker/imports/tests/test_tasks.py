"""Large imports as background tasks: queued when confirmed, imported once however often the task runs."""

import pytest

from keyworker.imports import services
from keyworker.imports.models import ImportStatus
from keyworker.imports.tasks import import_file
from keyworker.people.models import Child

from .test_services import upload

pytestmark = pytest.mark.django_db


def test_a_large_import_is_queued_then_run_by_the_task_once(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 10)
    actor, job = upload(world, "children_good.csv")
    before = Child.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_start(actor=actor, job=job)
    job.refresh_from_db()  # the immediate queue ran the task once the confirmation committed
    assert job.status == ImportStatus.DONE and Child.objects.count() == before + 20
    assert import_file.enqueue(import_id=job.pk, user_id=actor.user.pk).return_value == "nothing to do"
    assert Child.objects.count() == before + 20


def test_an_import_whose_run_was_lost_is_queued_again(world, settings, clock):
    """On the database queue: an import still importing with no run queued (its worker lost the database) is
    queued again by the organisation's periodic work; one with its run queued is left alone."""
    import datetime as dt

    from django_tasks_db.models import DBTaskResult

    from keyworker.core import clock as kw_clock

    settings.KEYWORKER_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    actor, job = upload(world, "children_good.csv")
    job = services.import_confirm(actor=actor, job=job)
    clock.shift(dt.timedelta(minutes=1))
    args = {"organisation_id": world.org.pk, "as_of": kw_clock.today(), "now": kw_clock.now()}
    services.imports_resume_periodic(**args)
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__import_id=job.pk).count() == 1
    services.imports_resume_periodic(**args)  # queued already: not twice
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__import_id=job.pk).count() == 1


def test_an_import_whose_worker_dies_every_time_stops_after_the_attempts(world, settings, clock, client_for):
    """On the database queue: a run whose worker goes quiet is queued again, twice; the third time the task is
    marked failed and so is the import, with a message the admin office reads on its page, and nothing queues it
    again."""
    import datetime as dt

    from django_tasks_db.models import DBTaskResult

    from keyworker.core import clock as kw_clock
    from keyworker.core.tasks import tasks_requeue_abandoned

    settings.KEYWORKER_TASKS_BACKEND = "database"
    settings.KEYWORKER_TASKS_MAX_ATTEMPTS = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    actor, job = upload(world, "children_good.csv")
    job = services.import_confirm(actor=actor, job=job)
    import_file.enqueue(import_id=job.pk, user_id=actor.user.pk)
    row = DBTaskResult.objects.get(args_kwargs__kwargs__import_id=job.pk)
    for attempt in (1, 2, 3):
        row.refresh_from_db()
        row.claim(f"worker-{attempt}")  # claimed, then the worker died with it
        clock.shift(dt.timedelta(seconds=settings.KEYWORKER_TASKS_CLAIM_SECONDS + 60))
        given_back = tasks_requeue_abandoned(now=kw_clock.now())
        row.refresh_from_db()
        job.refresh_from_db()
        if attempt < 3:
            assert given_back == 1 and row.status == "READY" and job.status == ImportStatus.IMPORTING
    assert given_back == 0 and row.status == "FAILED" and row.worker_ids == ["worker-1", "worker-2", "worker-3"]
    assert "after 3 attempts" in row.traceback
    assert job.status == ImportStatus.FAILED and "stopped after 3 attempts" in job.message
    assert "ask your administrator" in job.message
    # The import's periodic resume leaves it be: it is no longer importing.
    services.imports_resume_periodic(organisation_id=world.org.pk, as_of=kw_clock.today(), now=kw_clock.now())
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__import_id=job.pk).count() == 1
    assert tasks_requeue_abandoned(now=kw_clock.now()) == 0
    page = client_for(world.admin_office).get(f"/import/{job.pk}/", follow=True)
    assert page.status_code == 200 and "stopped after 3 attempts" in page.content.decode()
