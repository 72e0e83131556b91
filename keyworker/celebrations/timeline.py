"""The family timeline's celebration entries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.core.dates import on_screen
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from .selectors import celebrations_visible_to, with_details


def _celebrations(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    rows = with_details(celebrations_visible_to(actor).filter(family_id=family.pk)).order_by("-celebrated_on", "-created_at", "-id")[:limit]
    tz = timezone.get_current_timezone()
    entries = []
    for c in rows:
        local = timezone.localtime(c.created_at, tz)
        at = dt.datetime.combine(c.celebrated_on, local.time() if local.date() == c.celebrated_on else dt.time(12), tzinfo=tz)
        if c.is_voided:
            summary = f"Voided: {c.void_reason}"
        elif c.is_shared:
            summary = f"{c.title}. Shared with the family ({c.get_shared_how_display().lower()}) on {on_screen(c.shared_on)}."
        else:
            summary = f"{c.title}. Not shared with the family yet."
        entries.append(TimelineEntry(
            at=at, kind="celebrations", label=c.kind_label, summary=summary, url=reverse("celebrations:detail", args=[c.pk]),
            tone="neutral" if c.is_voided else "good", by=c.recorded_by.user.full_name, children=(c.child.display_name,),
            key=(c.pk,),
        ))
    return entries


def register() -> None:
    register_timeline_source(TimelineSource("celebrations", "Celebrations", _celebrations))
