"""Timeline entries of the records the dashboard already reads: key aspects changes and obligations met."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.core.dates import on_screen
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family, KeyAspectChange
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.selectors import obligations_visible_to


def _key_aspect_changes(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    rows = (
        KeyAspectChange.objects.filter(organisation_id=family.organisation_id, child__family_id=family.pk)
        .select_related("child", "changed_by").order_by("-changed_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=c.changed_at, kind="key_aspects", label=f"{c.field_label} changed", tone="info",
            summary=f"{c.before or 'nothing recorded'} → {c.after or 'nothing recorded'}",
            url=reverse("people:child", args=[c.child_id]), by=c.changed_by.full_name if c.changed_by else "",
            children=(c.child.display_name,), key=(c.pk,),
        )
        for c in rows
    ]


def _obligations_met(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    rows = (
        obligations_visible_to(actor).filter(family_id=family.pk, state=ObligationState.MET, met_on__isnull=False)
        .select_related("standard", "child").order_by("-met_on", "-id")[:limit]
    )
    tz = timezone.get_current_timezone()
    entries = []
    for o in rows:
        o: Obligation
        entries.append(TimelineEntry(
            at=dt.datetime.combine(o.met_on, dt.time(12), tzinfo=tz), kind="obligations",
            label=f"Met: {o.standard.clause} {o.standard.title}", tone="good",
            summary=f"Due {on_screen(o.due_on)}, met {on_screen(o.met_on)}.", url=reverse("week:obligation", args=[o.pk]),
            children=(o.child.display_name,) if o.child else (), key=(o.pk,),
        ))
    return entries


def register() -> None:
    register_timeline_source(TimelineSource("key_aspects", "Key aspects changes", _key_aspect_changes))
    register_timeline_source(TimelineSource("obligations", "Standards met", _obligations_met))
