"""The family timeline's attendance entries: each day a child was absent without a reason accepted (one entry a
child a day, with the codes of the day), newest first, in one query."""

import datetime as dt
import zoneinfo

from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.core.extensions import TimelineEntry, TimelineSource, register_timeline_source
from keyworker.people.models import Family
from keyworker.people.selectors import children_visible_to

from .models import AttendanceMark, Category


def _absences(actor: Actor, family: Family, limit: int) -> list[TimelineEntry]:
    marks = (
        AttendanceMark.objects.filter(
            organisation_id=actor.organisation_id, child__family_id=family.pk, code__category=Category.UNAUTHORISED,
            child_id__in=children_visible_to(actor).filter(family_id=family.pk).values("id"),
        )
        .select_related("child", "code", "setting").order_by("-date", "child_id", "session")[: limit * 2]
    )
    days: dict[tuple[dt.date, int], list[AttendanceMark]] = {}
    for m in marks:
        days.setdefault((m.date, m.child_id), []).append(m)
    entries = []
    for (day, child_id), group in list(days.items())[:limit]:
        first = group[0]
        at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zoneinfo.ZoneInfo(first.setting.time_zone))
        codes = ", ".join(f"{m.get_session_display().lower()} {m.code.code} ({m.code.meaning.lower()})" for m in group)
        entries.append(TimelineEntry(
            at=at, kind="attendance", label="Unexplained absence", summary=f"{first.child.display_name}: {codes}",
            url=reverse("attendance:child", args=[child_id]), tone="warn", children=(first.child.display_name,),
            key=(child_id,),
        ))
    return entries


def register() -> None:
    register_timeline_source(TimelineSource("attendance", "Attendance", _absences))
