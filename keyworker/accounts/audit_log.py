"""Reading the audit log: search it (leaders), export it as CSV (the data protection officer)."""

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from keyworker.core.models import AuditEvent
from keyworker.core.spreadsheets import csv_writer

from .access import Actor
from .models import User

EXPORT_COLUMNS = ["when (UTC)", "who", "who (e-mail)", "event", "record type", "record id", "summary", "data"]


@dataclass(frozen=True)
class AuditFilters:
    person: int | None = None
    event_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    time_zone: str = "Europe/London"


def audit_events_for(actor: Actor, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The actor's organisation's audit events matching the filters, newest first (audit_recent_idx)."""
    qs = AuditEvent.objects.filter(organisation_id=actor.organisation_id)
    tz = zoneinfo.ZoneInfo(filters.time_zone)
    if filters.person is not None:
        qs = qs.filter(actor_id=filters.person)
    if filters.event_type:
        qs = qs.filter(event_type=filters.event_type)
    if filters.date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if filters.text:
        qs = qs.filter(Q(summary__icontains=filters.text) | Q(event_type__icontains=filters.text)
                       | Q(object_type__icontains=filters.text))
    return qs.order_by("-created_at", "-id")


def event_types(actor: Actor) -> list[str]:
    return list(AuditEvent.objects.filter(organisation_id=actor.organisation_id)
                .order_by("event_type").values_list("event_type", flat=True).distinct())


def people(actor: Actor) -> QuerySet[User]:
    """Who can appear as the actor of the organisation's events: its staff, past and present."""
    return User.objects.filter(memberships__organisation_id=actor.organisation_id).distinct().order_by("full_name", "id")


def with_actor_names(events: list[AuditEvent]) -> list[AuditEvent]:
    """Attach `actor_label` in one query (the actor is a plain id that outlives the account)."""
    ids = {e.actor_id for e in events if e.actor_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "full_name", "email")}
    for e in events:
        user = users.get(e.actor_id) if e.actor_id else None
        e.actor_label = user.full_name if user else (f"Deleted account {e.actor_id}" if e.actor_id else "The system")
        e.actor_email = user.email if user else ""
    return events


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(events: QuerySet[AuditEvent], chunk: int = 2000) -> Iterator[str]:
    """CSV lines (header first), streamed in chunks so a year's log never sits in memory; cells neutralised."""
    import json

    writer = csv_writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    batch: list[AuditEvent] = []

    def lines(batch: list[AuditEvent]) -> Iterator[Any]:
        for e in with_actor_names(batch):
            yield writer.writerow([
                e.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), e.actor_label, e.actor_email,
                e.event_type, e.object_type, e.object_id or "", e.summary,
                json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else "",
            ])

    for event in events.iterator(chunk_size=chunk):
        batch.append(event)
        if len(batch) >= chunk:
            yield from lines(batch)
            batch = []
    yield from lines(batch)
