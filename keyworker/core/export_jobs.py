"""Large downloads prepared by the worker: a person asks, the worker builds the file, the person downloads it.

An app registers each kind of export (`register_export_kind`): how to build its file from the row's parameters (ids
and dates only), and who may still have it (the person who asked, if they may still see what it is about). A row
(`ExportJob`) records who asked, what, its status and progress, and the finished file, kept in the storage through
Django's storage API under a name fixed by the row (`exports/<organisation>/<export>/<file>`), so a build run twice
leaves one file. The periodic work removes files and rows KEYWORKER_EXPORT_KEEP_HOURS after they are finished.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django_tasks import task

from . import clock
from .errors import RuleViolation
from .models import ExportJob, ExportStatus
from .tasks import claim_timeout, enqueue_on_commit

log = logging.getLogger("keyworker.exports")

FAILED_MESSAGE = "The file could not be prepared. Ask for it again; if it fails again, ask your administrator."
GONE_MESSAGE = "What this file was about is no longer there, or no longer yours to see: nothing was prepared."


@dataclass
class Built:
    data: bytes
    filename: str
    content_type: str
    details: dict[str, Any] = field(default_factory=dict)  # what it holds (counts), kept on the row


Progress = Callable[[int], None]  # per cent done


@dataclass(frozen=True)
class ExportKind:
    name: str
    # (the row, a progress callback) -> the file; raises RuleViolation, PermissionDenied or Http404 to fail with a message
    build: Callable[[ExportJob, Progress], Built]
    # (the acting member, the row): raises Http404 when they may no longer have it (the subject out of their scope)
    check: Callable[[Any, ExportJob], None]
    # (the acting member, the row): written when the file is downloaded (the audit log)
    downloaded: Callable[[Any, ExportJob], None] | None = None
    # where the page sends the person back to
    back: Callable[[ExportJob], str] = lambda job: "/"


_KINDS: dict[str, ExportKind] = {}


def register_export_kind(kind: ExportKind) -> None:
    _KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    return _KINDS[name]


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.KEYWORKER_EXPORT_KEEP_HOURS))


# Services ---------------------------------------------------------------------------------------------------------

@transaction.atomic
def export_request(*, actor: Any, kind: str, params: dict[str, Any], title: str, now: dt.datetime) -> ExportJob:
    """Ask for an export; the worker prepares it once this commits. Asking again for the same while it is being
    prepared gives the same row (a double click prepares one file)."""
    if kind not in _KINDS:
        raise ValueError(f"No export of the kind {kind!r} is registered.")
    pending = ExportJob.objects.filter(organisation_id=actor.organisation_id, requested_by=actor.user, kind=kind,
                                       status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    for job in pending:  # a person's pending exports of one kind: a handful
        if job.params == params:
            return job
    job = ExportJob.objects.create(organisation_id=actor.organisation_id, requested_by=actor.user, kind=kind,
                                   params=params, title=title[:200], created_at=now)
    enqueue_on_commit(export_build, export_id=job.pk)
    return job


def _storage_name(job: ExportJob, filename: str) -> str:
    return f"exports/{job.organisation_id}/{job.pk}/{filename}"


def _fail(export_id: int, message: str, now: dt.datetime) -> None:
    ExportJob.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, message=message, finished_at=now, expires_at=now + keep_for())


def export_build_run(export_id: int, *, now: dt.datetime) -> str:
    """Prepare the file of one export. Run twice it prepares one file: the run claims the row (queued, or running
    with a worker gone quiet past the claim time), a finished row is left as it is, and the file's name is the
    row's."""
    claimed = ExportJob.objects.filter(pk=export_id).filter(
        Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, started_at__lt=now - claim_timeout())
    ).update(status=ExportStatus.RUNNING, started_at=now, progress=0, message="")
    if not claimed:
        return "nothing to do"
    job = ExportJob.objects.get(pk=export_id)
    shown = [0]

    def progress(percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent >= shown[0] + 5:  # a write per 5 %, whatever the size of the export
            shown[0] = percent
            ExportJob.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(progress=percent)

    try:
        built = export_kind(job.kind).build(job, progress)
    except RuleViolation as exc:
        _fail(export_id, exc.message, clock.now())
        return "failed"
    except (PermissionDenied, Http404, ObjectDoesNotExist):
        _fail(export_id, GONE_MESSAGE, clock.now())
        return "failed"
    except Exception:
        log.exception("Export %s (%s) could not be prepared", export_id, job.kind)
        _fail(export_id, FAILED_MESSAGE, clock.now())
        return "failed"
    name = _storage_name(job, built.filename)
    if default_storage.exists(name):  # left by a run whose worker died before it wrote the row
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(built.data))
    finished = clock.now()
    done = ExportJob.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE, progress=100, file=saved, filename=built.filename, content_type=built.content_type,
        size=len(built.data), details=built.details, finished_at=finished, expires_at=finished + keep_for(),
    )
    if not done:  # removed, or given up, while it was being prepared
        default_storage.delete(saved)
        return "nothing to do"
    return "done"


@task()
def export_build(export_id: int) -> str:
    """The worker's side of `export_request` (see `export_build_run`)."""
    return export_build_run(export_id, now=clock.now())


def export_given_up(kwargs: dict[str, Any], attempts: int) -> None:
    """The build's worker died every time (KEYWORKER_TASKS_MAX_ATTEMPTS): the person sees it failed."""
    now = clock.now()
    ExportJob.objects.filter(pk=kwargs.get("export_id"), status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).update(
        status=ExportStatus.FAILED, finished_at=now, expires_at=now + keep_for(),
        message=f"Preparing the file stopped after {attempts} attempts; ask your administrator.",
    )


def exports_remove_expired(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """The periodic work: remove the files and rows of exports past their time (and of any left waiting that long).
    Two queries whatever the number, and one storage call per file."""
    old = ExportJob.objects.filter(organisation_id=organisation_id).filter(
        Q(expires_at__lte=now) | Q(created_at__lte=now - keep_for() - claim_timeout())
    )
    rows = list(old.values_list("pk", "file"))
    for _, name in rows:
        if name:
            default_storage.delete(name)
    if rows:
        ExportJob.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        log.info("Organisation %s: %s prepared download(s) past their time removed", organisation_id, len(rows))
    return 0  # the periodic work counts notifications written: this writes none


# Selectors --------------------------------------------------------------------------------------------------------

def access_export(actor: Any, export_id: int) -> ExportJob:
    """The person's own export, if they may still see what it is about; anyone else's, or another organisation's: 404."""
    job = ExportJob.objects.filter(pk=export_id, organisation_id=actor.organisation_id, requested_by=actor.user).first()
    if job is None or job.kind not in _KINDS:
        raise Http404
    export_kind(job.kind).check(actor, job)
    return job


def exports_of(actor: Any, kind: str, *, about: dict[str, Any] | None = None, limit: int = 5) -> list[ExportJob]:
    """The person's latest exports of a kind (about one subject when `about` gives its parameters), for the page that
    asks for them: one query."""
    rows = ExportJob.objects.filter(organisation_id=actor.organisation_id, requested_by=actor.user, kind=kind)
    found = [job for job in rows[:50] if all(job.params.get(k) == v for k, v in (about or {}).items())]
    return found[:limit]
