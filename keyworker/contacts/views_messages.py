"""Staff pages of the portal messages: a family's conversations with its carers (read, reply, flag a worry), and the
reply posted from My week's "Messages waiting for a reply"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.requests import member as _member
from keyworker.core.requests import safe_next as _safe_next
from keyworker.organisations.models import Setting
from keyworker.people.models import Carer, Child
from keyworker.people.selectors import access_family, families_visible_to

from . import message_reads
from .forms import FlagForm, ReplyForm
from .messages import (
    hours_text,
    message_no_reply_needed,
    message_reply,
    messages_mark_read,
    next_opening,
    opening_text,
)
from .models import PortalMessage


@login_required
def family_messages(request: HttpRequest, family_id: int) -> HttpResponse:
    """Each carer's conversation with the setting; a reply to one. Opening it marks the carers' messages read."""
    actor = _member(request)
    family = access_family(actor, family_id)
    form, replying_to = None, None
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            carer = Carer.objects.filter(family_id=family.pk, pk=form.cleaned_data["carer"]).first()
            try:
                sent = message_reply(actor=actor, family=family, carer=carer, body=form.cleaned_data["body"],
                                     send_now=form.cleaned_data["send_now"])
            except RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if sent.deliver_at > sent.sent_at:
                    messages.success(request, f"Reply saved: it reaches {sent.carer.full_name} at the next opening, "
                                              f"{opening_text(sent.deliver_at, sent.setting)}.")
                else:
                    messages.success(request, f"Reply sent to {sent.carer.full_name}.")
                return redirect(_safe_next(request) or reverse("contacts:messages", args=[family.pk]))
        replying_to = request.POST.get("carer", "")
    messages_mark_read(actor=actor, family=family)
    conversations = message_reads.family_conversations(actor, family)
    for c in conversations:  # one form per conversation, each with its own ids
        mine = form is not None and replying_to == str(c.carer.pk)
        c.form = form if mine else ReplyForm(initial={"carer": c.carer.pk}, auto_id=f"id_%s_{c.carer.pk}")
        if mine:
            form.auto_id = f"id_%s_{c.carer.pk}"
        c.form.fields["body"].label = f"Your message to {c.carer.full_name}"
    setting = Setting.objects.filter(pk__in=Child.objects.filter(family_id=family.pk).values("setting_id")).first()
    now = clock.now()
    held = setting is not None and next_opening(setting, now) > now
    return render(request, "contacts/messages_family.html", {
        "family": family, "conversations": conversations, "form": form, "replying_to": replying_to,
        "hours": hours_text(), "out_of_hours": held, "flag_form": FlagForm(), "now": now,
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def message_no_reply(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark a carer's message as needing no reply ("Thank you!"): it stops waiting."""
    actor = _member(request)
    message = PortalMessage.objects.filter(pk=message_id, organisation_id=actor.organisation_id,
                                           family_id__in=families_visible_to(actor).values("id")).first()
    if message is None:
        raise Http404
    try:
        message_no_reply_needed(actor=actor, message=message)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Marked as needing no reply.")
    return redirect(_safe_next(request) or reverse("contacts:messages", args=[message.family_id]))
