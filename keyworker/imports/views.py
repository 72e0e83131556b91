"""Import pages: upload a file, choose its columns, check the report, confirm, follow the progress, see the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from keyworker.accounts.access import Actor
from keyworker.core.forms import form_submit, service_call
from keyworker.core.uploads import upload_refusal

from . import services, sync
from .forms import MappingForm, SavedMappingForm, UploadForm
from .mapping import column_label, target_labels
from .models import ImportJob, ImportKind, ImportStatus
from .policies import can_manage_saved_mappings, require_run_imports
from .selectors import (
    access_job,
    access_saved_mapping,
    importable_settings,
    jobs_visible_to,
    saved_mappings_visible_to,
)

PROBLEMS_PER_PAGE = 100


def _importer(request: HttpRequest) -> Actor:
    actor = request.actor  # type: ignore[attr-defined]
    if not actor.is_member:
        raise Http404
    require_run_imports(actor)
    return actor


@login_required
def start(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    settings = importable_settings(actor)
    # From the getting-started checklist (?kind=staff&hold=1): a staff file, its sign-in e-mails held.
    initial = {"kind": ImportKind.STAFF} if request.GET.get("kind") == ImportKind.STAFF else {}
    if request.GET.get("hold") == "1":
        initial["hold_sign_in_emails"] = True
    form = UploadForm(request.POST or None, request.FILES or None, settings=settings, initial=initial)
    refused = upload_refusal(request) if request.method == "POST" else ""
    if refused:
        # The upload handler dropped a file past the size limit: say so, not "this field is required".
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", refused)
    else:
        def save(data):
            upload = data["file"]
            job = services.import_upload(actor=actor, setting=data["setting"], kind=data["kind"], name=upload.name,
                                         data=upload.read(), hold_sign_in_emails=data.get("hold_sign_in_emails", False))
            return redirect("imports:mapping", job.pk)
        if (done := form_submit(request, form, save, fallback="file")) is not None:
            return done
    return render(request, "imports/start.html", {
        "form": form, "jobs": list(jobs_visible_to(actor)[:10]), "settings": settings,
    }, status=400 if request.method == "POST" else 200)


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """Wherever the import has got to."""
    job = access_job(_importer(request), job_id)
    return redirect(_page_for(job), job.pk)


def _page_for(job: ImportJob) -> str:
    return {
        ImportStatus.UPLOADED: "imports:mapping",
        ImportStatus.VALIDATED: "imports:preview",
        ImportStatus.FAILED: "imports:preview",
        ImportStatus.IMPORTING: "imports:progress",
        ImportStatus.DONE: "imports:result",
    }[ImportStatus(job.status)]


@login_required
def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = _importer(request)
    job = access_job(actor, job_id)
    if job.status in (ImportStatus.IMPORTING, ImportStatus.DONE):
        return redirect(_page_for(job), job.pk)
    form = MappingForm(request.POST or None, job=job)

    def save(data):
        services.import_map(actor=actor, job=job, mapping=form.mapping())
        return redirect("imports:preview", job.pk)
    if (done := form_submit(request, form, save)) is not None:
        return done
    used = set(job.mapping.values())
    unused = [column_label(job.headers, i) for i in range(len(job.headers)) if i not in used and job.headers[i]]
    return render(request, "imports/mapping.html", {
        "job": job, "form": form, "unused": unused,
    }, status=400 if request.method == "POST" else 200)


@login_required
def preview(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = _importer(request)
    job = access_job(actor, job_id)
    if job.status not in (ImportStatus.VALIDATED, ImportStatus.FAILED):
        return redirect(_page_for(job), job.pk)
    report = job.report if isinstance(job.report, dict) else {}
    page = Paginator(report.get("problems", []), PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/preview.html", {
        "job": job, "counts": report.get("counts", {}), "page_obj": page,
        "preview_columns": report.get("preview_columns", []), "preview_rows": report.get("preview", []),
        "can_confirm": job.status == ImportStatus.VALIDATED, "is_children": job.kind == ImportKind.CHILDREN,
        "background": job.row_count >= services.BACKGROUND_FROM_ROWS,
    })


@login_required
@require_POST
def confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = _importer(request)
    job = access_job(actor, job_id)

    def start_import():
        nonlocal job
        job = services.import_start(actor=actor, job=job)
    service_call(request, start_import)
    return redirect(_page_for(job), job.pk)


@login_required
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = _importer(request)
    job = services.import_release_if_stalled(actor=actor, job=access_job(actor, job_id))
    finished = job.status != ImportStatus.IMPORTING
    if request.GET.get("format") == "json":
        # For the page's script, which updates the bar in place (no page refresh: WCAG 2.2.1).
        done = job.row_count if finished else services.live_progress(job)
        total = job.row_count
        return JsonResponse({
            "done": done, "total": total, "finished": finished,
            "text": f"{done} of {total} row{'' if total == 1 else 's'} done ({round(100 * done / total) if total else 0}%).",
            "next": reverse(_page_for(job), args=[job.pk]) if finished else None,
        })
    if finished:
        return redirect(_page_for(job), job.pk)
    done = services.live_progress(job)
    total = job.row_count
    return render(request, "imports/progress.html", {
        "job": job, "done": done, "total": total, "percent": round(100 * done / total) if total else 0,
    })


@login_required
def result(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_job(_importer(request), job_id)
    if job.status != ImportStatus.DONE:
        return redirect(_page_for(job), job.pk)
    return _result_page(request, job, _save_mapping_form(job))


def _save_mapping_form(job: ImportJob, data=None) -> SavedMappingForm | None:
    """"Save this mapping for nightly imports": offered on a finished import of children."""
    if job.kind != ImportKind.CHILDREN or not job.mapping:
        return None
    return SavedMappingForm(data, initial={"name": f"Nightly {job.setting.name} export"[:60]})


def _result_page(request: HttpRequest, job: ImportJob, form: SavedMappingForm | None, status: int = 200) -> HttpResponse:
    report = job.report if isinstance(job.report, dict) else {}
    warnings = [p for p in report.get("problems", []) if p.get("warnings")]
    page = Paginator(warnings, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/result.html", {
        "job": job, "summary": services.import_summary(job), "counts": report.get("counts", {}), "page_obj": page,
        "is_children": job.kind == ImportKind.CHILDREN, "families_url": _families_url(),
        "getting_started_url": _getting_started_url(), "mapping_form": form,
    }, status=status)


# Saved mappings of the nightly sync ----------------------------------------------------------------------------


def _mapping_manager(request: HttpRequest) -> Actor:
    """The admin office and leaders; for anyone else the pages do not exist."""
    actor = request.actor  # type: ignore[attr-defined]
    if not actor.is_member or not can_manage_saved_mappings(actor):
        raise Http404
    return actor


@login_required
@require_POST
def save_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = _mapping_manager(request)
    job = access_job(actor, job_id)
    form = _save_mapping_form(job, request.POST)
    if job.status != ImportStatus.DONE or form is None:
        raise Http404

    def save(data):
        saved = sync.saved_mapping_create_from_import(actor=actor, job=job, name=data["name"],
                                                      max_leaver_share=data["max_leaver_share"])
        messages.success(request, f"Saved as “{saved.name}”: the nightly sync can use it now.")
        return redirect("imports:saved_mappings")
    if (done := form_submit(request, form, save, fallback="name")) is not None:
        return done
    return _result_page(request, job, form, status=400)


@login_required
def saved_mappings(request: HttpRequest) -> HttpResponse:
    actor = _mapping_manager(request)
    rows = []
    for saved in saved_mappings_visible_to(actor):
        labels = target_labels(saved.kind)
        report = saved.last_report if isinstance(saved.last_report, dict) else {}
        rows.append({"saved": saved, "columns": [(labels.get(t, t), h) for t, h in saved.columns.items()],
                     "report": report, "updated": len(report.get("updated", [])),
                     "leavers": len(report.get("leavers", [])), "errors": len(report.get("errors", []))})
    return render(request, "imports/saved_mappings.html", {"rows": rows})


@login_required
def saved_mapping_edit(request: HttpRequest, mapping_id: int) -> HttpResponse:
    actor = _mapping_manager(request)
    saved = access_saved_mapping(actor, mapping_id)
    form = SavedMappingForm(request.POST or None,
                            initial={"name": saved.name, "max_leaver_share": saved.max_leaver_share})

    def save(data):
        sync.saved_mapping_update(actor=actor, saved=saved, name=data["name"],
                                  max_leaver_share=data["max_leaver_share"])
        messages.success(request, f"Mapping “{saved.name}” saved.")
        return redirect("imports:saved_mappings")
    if (done := form_submit(request, form, save, fallback="name")) is not None:
        return done
    return render(request, "imports/saved_mapping_edit.html", {"saved": saved, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def saved_mapping_delete(request: HttpRequest, mapping_id: int) -> HttpResponse:
    actor = _mapping_manager(request)
    saved = access_saved_mapping(actor, mapping_id)
    name = saved.name
    sync.saved_mapping_delete(actor=actor, saved=saved)
    messages.success(request, f"Mapping “{name}” deleted: nightly imports with it stop.")
    return redirect("imports:saved_mappings")


def _families_url() -> str:
    try:
        return reverse("dashboard:family_list")
    except NoReverseMatch:
        return "/families/all/"


def _getting_started_url() -> str:
    """Where held sign-in e-mails are sent from, if that page is installed."""
    try:
        return reverse("getting_started:checklist")
    except NoReverseMatch:
        return ""
