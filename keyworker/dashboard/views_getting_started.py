"""The getting-started checklist page for leaders, and its "Invite your staff" button."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader
from keyworker.accounts.sign_in_emails import held_sign_in_emails_send
from keyworker.core import clock
from keyworker.core.forms import service_call
from keyworker.core.requests import member

from .getting_started import checklist_for


def _leader(request: HttpRequest) -> Actor:
    """Leaders only: anyone else finds no such page."""
    actor = member(request)
    if not is_leader(actor):
        raise Http404
    return actor


@login_required
def checklist_view(request: HttpRequest) -> HttpResponse:
    actor = _leader(request)
    as_of = clock.today()
    return render(request, "dashboard/getting_started.html", {
        "checklist": checklist_for(actor, as_of), "as_of": as_of,
    })


@login_required
@require_POST
def invite_view(request: HttpRequest) -> HttpResponse:
    actor = _leader(request)

    def sent_words(n: int) -> str:
        return f"Sign-in e-mails sent to {n} member{'s' if n != 1 else ''} of staff." if n else \
            "Nobody was waiting for a sign-in e-mail: they have all chosen their password already."
    service_call(request, lambda: held_sign_in_emails_send(actor=actor, organisation=actor.organisation),
                 success=sent_words)
    return redirect("getting_started:checklist")
