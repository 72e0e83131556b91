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
