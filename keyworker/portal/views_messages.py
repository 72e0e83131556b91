"""The carers' messages: write to the key worker (per family; a carer of two families chooses) and read the replies.

Only families where the carer may use messages (`request.carer.may(MESSAGES, family)`); any other: 404."""

from django.contrib import messages
from django.shortcuts import redirect, render

from keyworker.caseload.selectors import current_allocations
from keyworker.contacts.forms import CarerMessageForm
from keyworker.contacts.message_reads import carer_conversation
from keyworker.contacts.messages import hours_text, message_mark_read_by_carer, message_send, opening_text
from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import SettingKind
from keyworker.people.carer_access import MESSAGES

from .access import carer_required, section_required


@carer_required
@section_required(MESSAGES)
def messages_index(request):
    """One family: straight to its conversation; several: choose which family to write about."""
    family_ids = request.carer.family_ids_with(MESSAGES)
    if len(family_ids) == 1:
        return redirect("portal:messages", next(iter(family_ids)))
    links = sorted((c for c in request.carer.links if c.family_id in family_ids), key=lambda c: (c.organisation.name, c.family.name))
    return render(request, "portal/messages_index.html", {"links": links})


@carer_required
def messages_thread(request, family_id: int):
    request.carer.require(MESSAGES, family_id)
    link = request.carer.link_for(family_id)
    form = CarerMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = message_send(access=request.carer, family_id=family_id, body=form.cleaned_data["body"])
        except RuleViolation as exc:
            form.add_error("body" if exc.field == "body" else None, exc.message)
        else:
            if sent.deliver_at > sent.sent_at:
                messages.success(request, f"Message sent. It is out of hours, so {sent.setting.name} will see it when it "
                                          f"opens, {opening_text(sent.deliver_at, sent.setting)}.")
            else:
                messages.success(request, "Message sent.")
            return redirect("portal:messages", family_id)
    now = clock.now()
    message_mark_read_by_carer(access=request.carer, family_id=family_id)
    conversation = carer_conversation(request.carer, family_id, now)
    key_worker = (current_allocations().filter(family_id=family_id)
                  .select_related("staff__user", "setting").order_by("id").first())
    setting = key_worker.setting if key_worker else None
    hours = hours_text()
    if setting is not None and setting.kind != SettingKind.SCHOOL:  # a nursery or a club has no "school days"
        hours = hours.replace("on school days", "on the days it is open")
    return render(request, "portal/messages_thread.html", {
        "family": link.family, "conversation": conversation, "form": form, "key_worker": key_worker,
        "hours": hours, "setting_name": setting.name if setting else "your child's school or setting",
        "several": len(request.carer.family_ids_with(MESSAGES)) > 1,
    }, status=400 if request.method == "POST" else 200)
