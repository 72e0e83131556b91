"""The family timeline's contact entries; a restricted (safeguarding) contact shows that it exists, never what it says."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from .models import Tone
from .selectors import contacts_visible_to, mark_readable, with_details

TONE_COLOUR = {Tone.CELEBRATION: "good", Tone.POSITIVE: "good", Tone.NEUTRAL: "neutral", Tone.CONCERN: "warn"}


def _contacts(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    rows = mark_readable(actor, list(
        with_details(contacts_visible_to(actor).filter(family_id=family.pk)).order_by("-happened_on", "-created_at", "-id")[:limit]
    ))
    tz = timezone.get_current_timezone()
    entries = []
    for c in rows:
        local = timezone.localtime(c.created_at, tz)
        at = dt.datetime.combine(c.happened_on, local.time() if local.date() == c.happened_on else dt.time(12), tzinfo=tz)
        if c.is_restricted:
            entries.append(_restricted(c, at))
            continue
        summary = c.write_up if len(c.write_up) <= 200 else c.write_up[:197].rstrip() + "…"
        if c.is_voided:
            summary = f"Voided: {c.void_reason}"
        entries.append(TimelineEntry(
            at=at, kind="contacts", label=f"{c.get_channel_display()}, {c.get_tone_display().lower()}",
            summary=summary, url=reverse("contacts:detail", args=[c.pk]),
            tone="neutral" if c.is_voided else TONE_COLOUR.get(c.tone, "neutral"),
            by=_by(c), children=tuple(ch.display_name for ch in c.children.all()), key=(c.pk,),
        ))
    return entries


def _by(c) -> str:
    """The staff member who recorded it, or the carer who sent it through the portal."""
    if c.author_id:
        return c.author.user.full_name
    return c.carer.full_name if c.carer_id else ""


def _restricted(c, at: dt.datetime) -> TimelineEntry:
    """No summary, ever: the team reads the record itself (each read logged); others learn whom to talk to."""
    url = reverse("contacts:detail", args=[c.pk])
    if c.readable:
        return TimelineEntry(at=at, kind="contacts", label=f"Safeguarding concern: {c.get_safeguarding_category_display()}",
                             summary="", url=url, tone="bad", by=_by(c),
                             children=tuple(ch.display_name for ch in c.children.all()), restricted=True, key=(c.pk,))
    talk_to = f"Talk to the safeguarding lead, {c.talk_to}." if c.talk_to else "Talk to the safeguarding lead."
    return TimelineEntry(at=at, kind="contacts", label=f"A restricted record exists. {talk_to}", summary="", url=url,
                         tone="bad", restricted=True, key=(c.pk,))


def register() -> None:
    register_timeline_source(TimelineSource("contacts", "Contacts", _contacts))
