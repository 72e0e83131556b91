"""The family timeline's restricted records: each concern about a child of the family shows that it exists, never
what it says; only the safeguarding team of its setting gets a link to open it (where the read is logged)."""

from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.access import Actor
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from . import policies, selectors
from .models import Concern, ConcernChild


def _restricted(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    if not actor.is_member or family.organisation_id != actor.organisation_id:
        return []
    concerns = list(Concern.objects.filter(
        organisation_id=family.organisation_id,
        id__in=ConcernChild.objects.filter(child__family_id=family.pk).values("concern_id"),
    ).only("id", "organisation_id", "setting_id", "raised_at").order_by("-raised_at", "-id")[:limit])
    if not concerns:
        return []
    names = selectors.talk_to(family.organisation_id, {c.setting_id for c in concerns})
    tz = timezone.get_current_timezone()
    out = []
    for c in concerns:
        team = policies.is_team(actor, c.setting_id)
        label = "A restricted record exists." if team else f"A restricted record exists. {selectors.talk_to_text(names.get(c.setting_id, []))}"
        out.append(TimelineEntry(
            at=timezone.localtime(c.raised_at, tz), kind="safeguarding", label=label, summary="",
            url=reverse("safeguarding:concern", args=[c.pk]) if team else "", tone="bad", restricted=True, key=(c.pk,),
        ))
    return out


def register() -> None:
    register_timeline_source(TimelineSource("safeguarding", "Restricted records", _restricted))
