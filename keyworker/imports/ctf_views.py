"""Common transfer file pages: upload a CTF, read the preview pupil by pupil, import it; a child's CTF to download."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.accounts.access import Actor
from keyworker.core.forms import form_submit, service_call
from keyworker.core.uploads import too_large_message, upload_limits, upload_refusal
from keyworker.organisations.models import Setting

from . import ctf_services
from .ctf_export import ctf_export, export_child
from .models import CtfImport, CtfImportStatus
from .policies import require_run_imports
from .selectors import importable_settings

PUPILS_PER_PAGE = 50


class CtfUploadForm(forms.Form):
    setting = forms.ModelChoiceField(label="Import into", queryset=Setting.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Common transfer file",
        help_text="The CTF as your MIS or the DfE's School to School service gave it (an .xml file, CTF version 19 or later).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml"}),
    )

    def __init__(self, *args, settings: list[Setting], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" Up to {upload_limits().max_mb} MB."
        self.fields["setting"].queryset = Setting.objects.filter(pk__in=[s.pk for s in settings]).order_by("name")
        if len(settings) == 1:
            self.fields["setting"].initial = settings[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > upload_limits().max_bytes:
            raise forms.ValidationError(too_large_message(upload_limits()))
        if not upload.name.lower().endswith(".xml"):
            raise forms.ValidationError("A common transfer file is an .xml file.")
        return upload


def _importer(request: HttpRequest) -> Actor:
    actor = request.actor  # type: ignore[attr-defined]
    if not actor.is_member:
        raise Http404
    require_run_imports(actor)
    return actor


def _access(actor: Actor, upload_id: int) -> CtfImport:
    upload = CtfImport.objects.filter(
        organisation_id=actor.organisation_id, pk=upload_id,
        setting_id__in=[s.pk for s in importable_settings(actor)],
    ).select_related("setting", "uploaded_by").defer("data", "parsed").first()
    if upload is None:
        raise Http404("No such file")
    return upload


@login_required
def ctf_start(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    settings = importable_settings(actor)
    form = CtfUploadForm(request.POST or None, request.FILES or None, settings=settings)
    refused = upload_refusal(request) if request.method == "POST" else ""
    if refused:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", refused)
    else:
        def save(data):
            upload = data["file"]
            done = ctf_services.ctf_upload(actor=actor, setting=data["setting"], name=upload.name, data=upload.read())
            return redirect("imports:ctf_preview", done.pk)
        if (done := form_submit(request, form, save, fallback="file")) is not None:
            return done
    recent = list(CtfImport.objects.filter(
        organisation_id=actor.organisation_id, setting_id__in=[s.pk for s in settings],
    ).select_related("setting", "uploaded_by").defer("data", "parsed", "preview")[:10])
    return render(request, "imports/ctf_start.html", {"form": form, "settings": settings, "recent": recent},
                  status=400 if request.method == "POST" else 200)


@login_required
def ctf_preview(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _access(_importer(request), upload_id)
    report = upload.preview if isinstance(upload.preview, dict) else {}
    pupils = report.get("pupils", [])
    show = request.GET.get("show", "")
    if show == "problems":
        pupils = [p for p in pupils if p["errors"] or p["warnings"]]
    page = Paginator(pupils, PUPILS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/ctf_preview.html", {
        "upload": upload, "report": report, "counts": report.get("counts", {}), "page_obj": page, "show": show,
        "can_confirm": upload.status == CtfImportStatus.CHECKED, "done": upload.status == CtfImportStatus.DONE,
        "outcome": report.get("outcome"),
    })


@login_required
@require_POST
def ctf_confirm(request: HttpRequest, upload_id: int) -> HttpResponse:
    actor = _importer(request)
    upload = _access(actor, upload_id)
    service_call(request, lambda: ctf_services.ctf_confirm(actor=actor, upload=upload),
                 success=lambda done: f"Imported: {done.preview['outcome']['created']} new, "
                                      f"{done.preview['outcome']['updated']} updated.")
    return redirect("imports:ctf_preview", upload.pk)


@login_required
def ctf_export_download(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    child = export_child(actor, child_id)
    name, data = ctf_export(actor=actor, child=child)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
