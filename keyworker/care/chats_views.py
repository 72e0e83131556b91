"""Staff pages of chat sessions (CC-K6): the children of the out of school club and youth service with their last
chat session, and each child's chat session sheet, where a session is recorded."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keyworker.accounts import capabilities as caps
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.core.requests import member as _member
from keyworker.organisations.calendar import TermCalendar

from . import chats_selectors as selectors
from . import chats_services, policies
from .checklists_forms import ChatSessionForm
from .checklists_selectors import due_dates


def _half_term_start(actor, as_of: dt.date) -> dt.date:
    """The start of the half term holding `as_of` in the actor's first setting (else six weeks back)."""
    setting = actor.settings().filter(kind__in=("out_of_school_care", "youth")).order_by("name", "id").first()
    period = TermCalendar.for_setting(setting).half_term_for(as_of) if setting else None
    return period.starts_on if period else as_of - dt.timedelta(days=42)


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    today = clock.today()
    since = _half_term_start(actor, today)
    rows = selectors.overview(actor, today, since)
    return render(request, "care/chats_list.html", {"rows": rows, "since": since})


@login_required
def child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    may_record = policies.chats_can_record(actor, child.setting_id)
    form = None
    if may_record:
        form = ChatSessionForm(request.POST or None, staff=selectors.setting_staff(child.setting_id),
                               initial={"offered_on": clock.today(child.setting.time_zone)})

        def save(data):
            chats_services.chat_session_record(actor=actor, child=child, offered_on=data["offered_on"],
                                               outcome=data["outcome"], staff_id=data["staff"], note=data["note"])
            return reverse("care:chats_child", args=[child.pk]), "Chat session recorded on the sheet."

        if request.method == "POST" and (answer := form_submit(request, form, save, fallback="offered_on")):
            return answer
    elif request.method == "POST":
        policies.chats_require_record(actor, child.setting_id)
    return render(request, "care/chats_child.html", {
        "child": child, "sessions": selectors.sheet(child), "form": form,
        "due_on": due_dates([child.pk], selectors.EVIDENCE).get(child.pk),
        "key_worker_label": child.setting.key_worker_label,
    }, status=400 if request.method == "POST" else 200)
