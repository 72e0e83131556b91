"""Data rights, for the data protection officer: a subject access pack for a child or a carer (PDF and JSON in one
download prepared by the worker, logged when downloaded), and erasing a carer's personal data on request."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from keyworker.core import clock
from keyworker.core.export_jobs import export_request, exports_of
from keyworker.core.forms import form_submit
from keyworker.core.requests import member
from keyworker.people.erasure import ERASED, carer_erase
from keyworker.people.models import Child
from keyworker.people.policies import require_handle_data_rights
from keyworker.people.selectors import access_carer, access_child

from .export_kinds import SUBJECT_ACCESS, subject_access_params
from .subject_access import subject_access_pack


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=500,
        help_text="The request: who made it, when and how (kept in the audit log; what is erased is not).",
    )


def _actor(request: HttpRequest):
    actor = member(request)
    require_handle_data_rights(actor)
    return actor


def _pack_page(request: HttpRequest, actor, subject, back: str) -> HttpResponse:
    """What the pack will hold; asking for it has the worker prepare the file (PDF and JSON in one ZIP), whose page
    then offers the download (logged when downloaded)."""
    params = subject_access_params(subject)
    if request.method == "POST":
        pack_name = subject.display_name if isinstance(subject, Child) else f"{subject.first_name} {subject.last_name}"
        job = export_request(actor=actor, kind=SUBJECT_ACCESS, params=params, now=clock.now(),
                             title=f"Subject access pack: {pack_name.strip()}")
        return redirect("exports:export", job.pk)
    pack = subject_access_pack(subject=subject, made_by=actor.user.full_name, as_of=clock.today())
    exports = exports_of(actor, SUBJECT_ACCESS, about={"subject": params["subject"], "id": subject.pk})
    return render(request, "dashboard/subject_access.html", {
        "pack": pack, "back": back, "subject": subject, "exports": exports,
    })


@login_required
def child_subject_access(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _actor(request)
    child = access_child(actor, child_id)
    return _pack_page(request, actor, child, f"/families/{child.family_id}/")


@login_required
def carer_subject_access(request: HttpRequest, carer_id: int) -> HttpResponse:
    actor = _actor(request)
    carer = access_carer(actor, carer_id)
    return _pack_page(request, actor, carer, f"/families/{carer.family_id}/")


@login_required
def carer_erase_page(request: HttpRequest, carer_id: int) -> HttpResponse:
    actor = _actor(request)
    carer = access_carer(actor, carer_id)
    form = EraseForm(request.POST or None)
    back = f"/families/{carer.family_id}/"

    def save(data):
        name = f"{carer.first_name} {carer.last_name}"
        carer_erase(actor=actor, carer=carer, reason=data["reason"])
        return back, f"{name}'s personal data was erased. The reason is in the audit log."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "dashboard/carer_erase.html", {
        "carer": carer, "form": form, "back": back, "erased": carer.first_name == ERASED,
    }, status=400 if request.method == "POST" else 200)
