"""The family timeline's contact entries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.dashboard.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from .models import Tone
from .selectors import contacts_visible_to, with_details

TONE_COLOUR = {Tone.CELEBRATION: "good", Tone.POSITIVE: "good", Tone.NEUTRAL: "neutral", Tone.CONCERN: "warn"}


def _contacts(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    rows = with_details(contacts_visible_to(actor).filter(family_id=family.pk)).order_by("-happened_on", "-created_at", "-id")[:limit]
    tz = timezone.get_current_timezone()
    entries = []
    for c in rows:
        local = timezone.localtime(c.created_at, tz)
        at = dt.datetime.combine(c.happened_on, local.time() if local.date() == c.happened_on else dt.time(12), tzinfo=tz)
        summary = c.write_up if len(c.write_up) <= 200 else c.write_up[:197].rstrip() + "…"
        if c.is_voided:
            summary = f"Voided: {c.void_reason}"
        entries.append(TimelineEntry(
            at=at, kind="contacts", label=f"{c.get_channel_display()}, {c.get_tone_display().lower()}",
            summary=summary, url=reverse("contacts:detail", args=[c.pk]),
            tone="neutral" if c.is_voided else TONE_COLOUR.get(c.tone, "neutral"),
            by=c.author.user.full_name, children=tuple(ch.display_name for ch in c.children.all()), key=(c.pk,),
        ))
    return entries


def register() -> None:
    register_timeline_source(TimelineSource("contacts", "Contacts", _contacts))
