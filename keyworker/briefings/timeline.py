"""The family timeline's briefing entries: when the key worker read a change to a child's key aspects."""

from django.db.models import Prefetch
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family

from .models import BriefingChange, BriefingRecipient, RecipientRole


def _briefings_acknowledged(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    """Two queries: the key worker's acknowledgements of the family's briefings, and their change rows."""
    rows = (
        BriefingRecipient.objects.filter(
            organisation_id=family.organisation_id, briefing__child__family_id=family.pk, role=RecipientRole.KEY_WORKER,
            acknowledged_at__isnull=False, acknowledged_as_author=False,
        )
        .select_related("briefing__child", "staff__user")
        .prefetch_related(Prefetch("briefing__items", queryset=BriefingChange.objects.select_related("change").order_by("id")))
        .order_by("-acknowledged_at", "-id")[:limit]
    )
    entries = []
    for r in rows:
        fields = ", ".join(item.change.field_label.lower() for item in r.briefing.items.all())
        entries.append(TimelineEntry(
            at=r.acknowledged_at, kind="briefings_acknowledged", label="Change to key aspects read", tone="good",
            summary=f"The key worker read the change to {r.briefing.child.display_name}'s {fields or 'key aspects'}.",
            url=reverse("briefings:detail", args=[r.briefing_id]), by=r.staff.user.full_name,
            children=(r.briefing.child.display_name,), key=(r.pk,),
        ))
    return entries


def register() -> None:
    register_timeline_source(TimelineSource("briefings_acknowledged", "Briefings read", _briefings_acknowledged))
