"""The carers' portal pages."""

from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.people import carer_access

from .access import carer_required


@carer_required
def home(request):
    children = carer_access.children_for(request.user, carer_access.KEY_WORKER)
    return render(request, "portal/home.html", {"children": children})


def sign_in(request):
    return render(request, "portal/sign_in.html", {})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:sign_in")
