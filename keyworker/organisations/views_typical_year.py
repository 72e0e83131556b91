"""The "copy a typical school year" button of a setting's page (and of the getting-started checklist)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.forms import service_call
from keyworker.core.requests import member, safe_next

from .models import Setting
from .policies import require_manage_setup
from .typical_year import CopiedYear, calendar_copy_typical_year


@login_required
@require_POST
def typical_year_copy(request: HttpRequest, setting_id: int) -> HttpResponse:
    actor = member(request)
    require_manage_setup(actor)
    setting = Setting.objects.filter(organisation_id=actor.organisation_id, pk=setting_id).first()
    if setting is None:
        raise Http404("No such setting")

    def copied(result: CopiedYear) -> str:
        y = result.year
        return (f"Copied a typical school year {y.school_year} to {setting}: {result.terms} terms and "
                f"{result.half_terms} half terms from {y.starts_on.day} {y.starts_on:%B %Y} to {y.ends_on.day} "
                f"{y.ends_on:%B %Y}, with the half-term breaks. Bank holidays are already known. Check the dates "
                "against your local authority's and adjust them.")
    service_call(request, lambda: calendar_copy_typical_year(actor=actor, setting=setting, as_of=clock.today(setting.time_zone)),
                 success=copied)
    return redirect(safe_next(request) or reverse("organisations:setting", args=[setting.pk]) + "#term")
