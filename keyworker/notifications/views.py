"""The in-app inbox: a person's own notifications, newest first; anyone else's is not found."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .selectors import inbox_for
from .services import notifications_mark_read


def _organisation_id(request) -> int | None:
    actor = getattr(request, "actor", None)
    return actor.organisation_id if actor is not None and actor.is_member else None


@login_required
def inbox(request):
    qs = inbox_for(request.user, _organisation_id(request)).order_by("-created_at", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    unread = qs.filter(read_at__isnull=True).count()
    return render(request, "notifications/inbox.html", {"page_obj": page, "unread": unread, "query_string": ""})


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
