"""Imports as background tasks: a large file is imported by a worker, its progress kept where any web process sees it."""

from django_tasks import task

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import User

from .models import ImportJob, ImportStatus


@task()
def import_file(import_id: int, user_id: int | None = None) -> str:
    """Run a confirmed import. Run twice (queued again after its worker went quiet), it imports once: the run
    claims the import's row inside its transaction, and a finished import is left as it is."""
    from .services import import_run_claimed

    job = ImportJob.objects.filter(pk=import_id).only("status", "setting__organisation_id").select_related("setting").first()
    if job is None or job.status != ImportStatus.IMPORTING:
        return "nothing to do"
    user = User.objects.filter(pk=user_id).first() if user_id else None
    actor = actor_for(user, job.setting.organisation_id) if user is not None else None
    import_run_claimed(import_id, actor)
    return ImportJob.objects.values_list("status", flat=True).get(pk=import_id)


def import_given_up(kwargs: dict, attempts: int) -> None:
    """The import's run was stopped with its worker every time (a file that kills it, a recurring database error):
    the import is marked failed, with what the admin office sees on its page, and is not queued again."""
    import logging

    from keyworker.core import clock

    stopped = ImportJob.objects.filter(pk=kwargs.get("import_id"), status=ImportStatus.IMPORTING).update(
        status=ImportStatus.FAILED, finished_at=clock.now(),
        message=(f"The import stopped after {attempts} attempts, and nothing was imported; ask your administrator "
                 "(the worker's log says why)."),
    )
    if stopped:
        logging.getLogger("keyworker.imports").error("Import %s: stopped after %s attempts", kwargs.get("import_id"),
                                                     attempts)
