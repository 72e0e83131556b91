"""Briefing pages: the briefings to acknowledge, one briefing, a class's "What changed", the leaders' progress."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.forms import service_call
from keyworker.core.requests import member as _member
from keyworker.core.requests import safe_next as _safe_next
from keyworker.people.selectors import access_child

from . import policies, selectors, services
from .models import ClassLastLooked

PAGE_SIZE = 50


def _changes(briefing) -> list:
    return [item.change for item in briefing.items.all()]


@login_required
def briefing_list(request: HttpRequest) -> HttpResponse:
    """Briefings sent to me: waiting (oldest first), or those I have read (newest first)."""
    actor = _member(request)
    show = "acknowledged" if request.GET.get("show") == "acknowledged" else "pending"
    mine = selectors.my_briefings(actor)
    if show == "pending":
        qs = selectors.pending(mine)
    else:
        qs = mine.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at", "-id")
    page = Paginator(selectors.with_details(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    per_child = selectors.pending_per_child(actor) if show == "pending" else {}
    rows = list(page.object_list)
    offered: set[int] = set()
    for row in rows:
        row.changes = _changes(row.briefing)
        # "I have read all N" once per child, on the child's first row.
        child_id = row.briefing.child_id
        row.child_pending = per_child.get(child_id, 0) if child_id not in offered else 0
        offered.add(child_id)
    return render(request, "briefings/briefing_list.html", {
        "rows": rows, "page_obj": page, "show": show, "query_string": f"show={show}",
        "pending_total": sum(per_child.values()) if show == "pending" else None,
    })


@login_required
def briefing_detail(request: HttpRequest, briefing_id: int) -> HttpResponse:
    actor = _member(request)
    briefing = selectors.access_briefing(actor, briefing_id)
    recipients = list(briefing.recipients.select_related("staff__user").order_by("role", "staff__user__full_name", "id"))
    mine = next((r for r in recipients if r.staff_id == actor.staff.pk), None)
    return render(request, "briefings/briefing_detail.html", {
        "briefing": briefing, "changes": _changes(briefing), "recipients": recipients, "mine": mine,
    })


@login_required
@require_POST
def briefing_acknowledge_view(request: HttpRequest, briefing_id: int) -> HttpResponse:
    actor = _member(request)
    row = selectors.access_my_briefing(actor, briefing_id)
    was_pending = row.acknowledged_at is None
    name = row.briefing.child.display_name
    service_call(request, lambda: services.briefing_acknowledge(actor=actor, briefing=row.briefing),
                 success=f"Thank you: you have read the change to {name}'s key aspects."
                 if was_pending else f"You had already read this change to {name}'s key aspects.")
    return redirect(_safe_next(request) or reverse("briefings:list"))


@login_required
@require_POST
def child_acknowledge_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = access_child(actor, child_id)
    count = services.briefings_acknowledge_child(actor=actor, child=child)
    if count:
        messages.success(request, f"Thank you: you have read {count} change{'s' if count != 1 else ''} to "
                                  f"{child.display_name}'s key aspects.")
    else:
        messages.info(request, f"Nothing was waiting for you about {child.display_name}.")
    return redirect(_safe_next(request) or reverse("briefings:list"))


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    return render(request, "briefings/class_list.html", {
        "groups": selectors.classes_with_news(actor), "is_leader": policies.can_see_progress(actor),
        "recent_days": selectors.RECENT_DAYS,
    })


@login_required
def class_changes(request: HttpRequest, group_id: int) -> HttpResponse:
    """What changed in the class's children's key aspects since I last looked (or in the last 30 days)."""
    actor = _member(request)
    group = selectors.access_group(actor, group_id)
    now = clock.now()
    previous = selectors.last_looked(actor, group)
    recent = request.GET.get("period") == "30" or previous is None
    since = now - dt.timedelta(days=selectors.RECENT_DAYS) if recent else previous
    changes = list(selectors.class_changes(actor, group, since)[:500])
    # Looking at the page is what "since you last looked" counts from (the 30-day view too).
    ClassLastLooked.objects.update_or_create(
        staff=actor.staff, group=group, defaults={"looked_at": now, "organisation_id": actor.organisation_id},
    )
    return render(request, "briefings/class_changes.html", {
        "group": group, "changes": changes, "previous": previous, "recent": recent, "since": since,
        "recent_days": selectors.RECENT_DAYS, "is_leader": policies.can_see_progress(actor, group.setting_id),
    })


@login_required
def class_progress(request: HttpRequest, group_id: int) -> HttpResponse:
    """Leaders: who has not yet acknowledged which briefing of this class, and how old it is."""
    actor = _member(request)
    group = selectors.access_group(actor, group_id)
    policies.require_progress(actor, group.setting_id)
    as_of = clock.today(group.setting.time_zone)
    progress = selectors.class_progress(actor, group, as_of)
    for b in progress.briefings:
        b.change_list = _changes(b)
    return render(request, "briefings/class_progress.html", {"group": group, "progress": progress, "as_of": as_of})


