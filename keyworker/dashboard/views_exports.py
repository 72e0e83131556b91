"""Prepared downloads: the page of one (being prepared, with its progress, refreshing itself; then its download link),
its download, and the page that asks for the whole organisation's archive. Only the person who asked, while they
may still see what it is about, finds them; anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.accounts.policies import require_export_organisation
from keyworker.core import clock
from keyworker.core.export_jobs import access_export, export_kind, export_request, exports_of, keep_for
from keyworker.core.models import ExportStatus
from keyworker.core.requests import member

from .export_kinds import ARCHIVE


def _progress_text(job) -> str:
    return f"Being prepared{': waiting for its turn' if job.status == ExportStatus.QUEUED else ''}. {job.progress}% done."


@login_required
def export_page(request: HttpRequest, export_id: int) -> HttpResponse:
    actor = member(request)
    job = access_export(actor, export_id)
    if request.GET.get("format") == "json":
        # For the page's script, which updates the bar in place and opens the finished page when it is ready.
        return JsonResponse({"done": job.progress, "total": 100, "text": _progress_text(job),
                             "finished": not job.pending, "next": reverse("exports:export", args=[job.pk])})
    return render(request, "dashboard/export.html", {"progress_text": _progress_text(job),
        "job": job, "back": export_kind(job.kind).back(job), "keep_hours": round(keep_for().total_seconds() / 3600),
    })


@login_required
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    actor = member(request)
    job = access_export(actor, export_id)
    if job.status != ExportStatus.DONE or not job.file:
        return redirect("exports:export", job.pk)
    try:
        handle = default_storage.open(job.file.name, "rb")
    except FileNotFoundError as exc:  # removed in the meantime (the periodic work, an operator)
        raise Http404 from exc
    kind = export_kind(job.kind)
    if kind.downloaded is not None:
        kind.downloaded(actor, job)
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)


@login_required
def organisation_archive(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    require_export_organisation(actor)
    if request.method == "POST":
        job = export_request(actor=actor, kind=ARCHIVE, params={}, now=clock.now(),
                             title=f"The archive of {actor.organisation.name}")
        return redirect("exports:export", job.pk)
    return render(request, "dashboard/organisation_archive.html", {
        "organisation": actor.organisation, "exports": exports_of(actor, ARCHIVE),
        "keep_hours": round(keep_for().total_seconds() / 3600),
    })
