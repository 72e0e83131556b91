"""Key worker pages of the standards engine: My week, one obligation with its history, waiving it."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.extensions import week_panels
from keyworker.standards.models import ObligationState
from keyworker.standards.obligations import REASON_MAX, obligation_waive
from keyworker.standards.selectors import access_obligation, my_week, obligation_history, state_display


def member(request: HttpRequest) -> Actor:
    if not request.actor.is_member:
        raise Http404
    return request.actor


def parse_as_of(request: HttpRequest) -> tuple[dt.date, str]:
    """The ?as_of= date (YYYY-MM-DD or 3/3/2026), or today with a message saying why the given one was not used."""
    today = clock.today()
    raw = request.GET.get("as_of", "").strip()[:20]
    if not raw:
        return today, ""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date(), ""  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return today, f"“{raw}” is not a date we understand, so this shows today. Write dates as 2026-11-18 or 18/11/2026."


@login_required
def my_week_view(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    as_of, as_of_error = parse_as_of(request)
    week = my_week(actor, as_of)
    # What other apps add (briefings to acknowledge, families to celebrate...): each a fixed number of queries.
    panels = [(p.template, built) for p in week_panels() if (built := p.build(actor, as_of)) is not None]
    return render(request, "dashboard/my_week.html", {
        "panels": panels,
        "week": week, "as_of": as_of, "as_of_error": as_of_error, "is_today": as_of == clock.today(),
        "sections": [
            ("overdue", "Overdue", "Oldest first: contact these families first.", week.overdue),
            ("due", "Due this week", f"Due by {week.week_end:%A} {week.week_end.day} {week.week_end:%B}.", week.due_this_week),
            ("later", "Coming up", "Due after this week.", week.coming_up),
            ("done", "Done this week", "Met since Monday.", week.done_this_week),
        ],
    })


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Reason for waiving", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say why this family or child does not need it this time. The reason is kept in the history.",
        error_messages={"required": "Enter why this obligation is waived, for example “Family moved abroad for the term”."},
    )


def _obligation_page(request: HttpRequest, actor: Actor, obligation, form: WaiveForm | None, status: int = 200) -> HttpResponse:
    can_waive = actor.can(caps.MANAGE_ALLOCATIONS, obligation.setting_id) and obligation.state not in (
        ObligationState.MET, ObligationState.WAIVED,
    )
    return render(request, "dashboard/obligation.html", {
        "obligation": obligation, "state": state_display(obligation.state),
        "events": [(e, state_display(e.from_state) if e.from_state else None, state_display(e.to_state))
                   for e in obligation_history(obligation)],
        "can_waive": can_waive, "form": form or (WaiveForm() if can_waive else None),
    }, status=status)


@login_required
def obligation_detail(request: HttpRequest, obligation_id: int) -> HttpResponse:
    actor = member(request)
    return _obligation_page(request, actor, access_obligation(actor, obligation_id), None)


@login_required
@require_POST
def obligation_waive_view(request: HttpRequest, obligation_id: int) -> HttpResponse:
    actor = member(request)
    obligation = access_obligation(actor, obligation_id)
    actor.require(caps.MANAGE_ALLOCATIONS, obligation.setting_id)
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            obligation_waive(actor=actor, obligation=obligation, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            if exc.field:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("week:obligation", obligation.pk)
        else:
            messages.success(request, f"Waived: {obligation.standard.clause} {obligation.standard.title} for {obligation.family.name}.")
            return redirect("week:obligation", obligation.pk)
    return _obligation_page(request, actor, obligation, form, status=400)
