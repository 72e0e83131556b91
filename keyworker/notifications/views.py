"""The in-app inbox: a person's own notifications, newest first; anyone else's is not found. The organisation's
e-mails that did not go out, for the people who can fix an address, with "try again"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.core.requests import member

from .forms import PreferenceForm
from .models import Delivery
from .policies import may_manage_deliveries
from .selectors import (
    deliveries_not_delivered,
    deliveries_retrying,
    escalation_preference,
    inbox_for,
    last_failed_attempt,
)
from .services import (
    NotDeliverable,
    delivery_retry,
    escalation_preference_save,
    header_safe,
    notifications_mark_read,
)

SHOWN = 100  # rows per list; more are counted


def _organisation_id(request) -> int | None:
    actor = getattr(request, "actor", None)
    return actor.organisation_id if actor is not None and actor.is_member else None


def _inbox_page(request, form: PreferenceForm, status: int = 200):
    qs = inbox_for(request.user, _organisation_id(request)).order_by("-created_at", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    unread = qs.filter(read_at__isnull=True).count()
    return render(request, "notifications/inbox.html", {"page_obj": page, "unread": unread, "query_string": "",
                                                        "form": form}, status=status)


@login_required
def inbox(request):
    return _inbox_page(request, PreferenceForm(initial={"escalations": escalation_preference(request.user)}))


@login_required
@require_POST
def preferences(request):
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        return _inbox_page(request, form, status=400)
    pref = escalation_preference_save(user=request.user, escalations=form.cleaned_data["escalations"])
    messages.success(request, f"Escalations: {pref.get_escalations_display().lower()}.")
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    changed = notifications_mark_read(user=request.user, organisation_id=_organisation_id(request))
    messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} as read." if changed
                     else "Nothing was unread.")
    return redirect("notifications:inbox")


@login_required
def notification_detail(request, notification_id: int):
    notification = inbox_for(request.user, _organisation_id(request)).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notifications_mark_read(user=request.user, organisation_id=None, notification_id=notification.pk)
    return render(request, "notifications/detail.html", {"notification": notification})


def _manager(request):
    actor = member(request)
    if not may_manage_deliveries(actor):
        raise PermissionDenied("Only people who manage staff or set-up see the organisation's e-mails.")
    return actor


@login_required
def deliveries(request):
    actor = _manager(request)
    failed_qs = deliveries_not_delivered(actor.organisation_id)
    retrying_qs = deliveries_retrying(actor.organisation_id)
    failed, retrying = list(failed_qs[:SHOWN]), list(retrying_qs[:SHOWN])
    previous_errors = last_failed_attempt(retrying)
    for d in retrying:
        d.previous_error = previous_errors[d.pk]
    for d in [*failed, *retrying]:
        d.subject = header_safe(d.notification.subject)
    return render(request, "notifications/deliveries.html", {
        "failed": failed, "failed_count": failed_qs.count() if len(failed) == SHOWN else len(failed),
        "retrying": retrying, "retrying_count": retrying_qs.count() if len(retrying) == SHOWN else len(retrying),
    })


@login_required
@require_POST
def delivery_try_again(request, delivery_id: int):
    actor = _manager(request)
    try:
        delivery_retry(by=actor.user, organisation_id=actor.organisation_id, delivery_id=delivery_id)
    except Delivery.DoesNotExist as exc:
        raise Http404 from exc
    except NotDeliverable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "It will be sent again in a moment.")
    return redirect("notifications:deliveries")
