"""Events the record layer already provides: a change to a child's key aspects (SCH-3 briefings count from it)."""

import datetime as dt

from django.utils import timezone

from keyworker.people.models import KeyAspectChange

from .evidence import EventRow, EventSource, SourceRead, register_events


def _key_aspect_changes(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> SourceRead:
    # One row per child and day: several fields changed at once are one briefing. Dates in UK time.
    qs = KeyAspectChange.objects.filter(organisation_id=organisation_id, changed_at__date__gte=start, changed_at__date__lte=end)
    if families is not None:
        qs = qs.filter(child__family_id__in=families)

    def shape(rows) -> list[EventRow]:
        seen: dict[tuple[int, dt.date], EventRow] = {}
        for family_id, child_id, changed_at in rows:
            day = timezone.localtime(changed_at).date()
            seen.setdefault((child_id, day), EventRow(family_id, child_id, day, f"kac{child_id}-{day:%Y%m%d}"))
        return list(seen.values())

    return SourceRead(qs.values_list("child__family_id", "child_id", "changed_at").order_by("changed_at"), shape)


def register() -> None:
    register_events(EventSource("key_aspects_changed", "Change to key aspects", _key_aspect_changes, by_family=True))
