"""The family timeline's wellbeing entries: concerns, follow-ups and referrals, for readers who may see the concern."""

import datetime as dt

from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.core.dates import on_screen
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from .models import FollowUpKind, WellbeingFollowUp
from .selectors import concerns_visible_to, with_details
from .services import concern_link


def _at(day: dt.date, created: dt.datetime, tz) -> dt.datetime:
    local = timezone.localtime(created, tz)
    return dt.datetime.combine(day, local.time() if local.date() == day else dt.time(12), tzinfo=tz)


def _wellbeing(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    visible = concerns_visible_to(actor).filter(family_id=family.pk)
    tz = timezone.get_current_timezone()
    entries = []
    for c in with_details(visible).order_by("-noticed_on", "-created_at", "-id")[:limit]:
        summary = f"About {', '.join(c.area_labels).lower()}. Indicators: {', '.join(c.indicator_labels)}."
        if not c.is_open:
            summary += f" Closed: {c.get_outcome_display()}."
        entries.append(TimelineEntry(
            at=_at(c.noticed_on, c.created_at, tz), kind="wellbeing", label="Wellbeing concern", summary=summary,
            url=concern_link(c), tone="warn" if c.is_open else "neutral", by=c.raised_by.user.full_name, key=("c", c.pk),
        ))
    follow_ups = (WellbeingFollowUp.objects.filter(concern__in=visible.values("id")).select_related("agency", "recorded_by__user")
                  .order_by("-happened_on", "-created_at", "-id")[:limit])
    for f in follow_ups:
        summary = f.get_kind_display()
        if f.agency_id:
            summary += f": {f.agency.name}"
        if f.kind == FollowUpKind.REFERRAL and f.follow_up_on:
            summary += f". Follow up on {on_screen(f.follow_up_on)}"
        entries.append(TimelineEntry(
            at=_at(f.happened_on, f.created_at, tz), kind="wellbeing", label="Wellbeing follow-up", summary=summary + ".",
            url=f"/wellbeing/concerns/{f.concern_id}/", tone="info", by=f.recorded_by.user.full_name, key=("f", f.pk),
        ))
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    return entries[:limit]


def register() -> None:
    register_timeline_source(TimelineSource("wellbeing", "Wellbeing", _wellbeing))
