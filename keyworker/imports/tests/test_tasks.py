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
