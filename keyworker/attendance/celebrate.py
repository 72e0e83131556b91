"""Positive attendance to celebrate (SCH-5): a key worker's children with every possible session attended this half
term so far, once it has run for two school weeks. Fixed queries: children, settings, calendars, one aggregate."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child

from .selectors import Rates, on_roll, rates_by_child

MIN_POSSIBLE = 20  # two school weeks of sessions


@dataclass(frozen=True)
class ToCelebrate:
    child: Child
    rates: Rates
    since: dt.date


def full_attendance(actor: Actor, as_of: dt.date) -> list[ToCelebrate]:
    if not actor.is_member or actor.staff is None:
        return []
    families = KeyWorkerAllocation.objects.filter(
        organisation_id=actor.organisation_id, staff=actor.staff, ends_at__isnull=True
    ).values("family_id")
    children = list(on_roll(Child.objects.filter(organisation_id=actor.organisation_id, family_id__in=families), as_of, as_of)
                    .select_related("group").order_by("legal_last_name", "legal_first_name", "id"))
    if not children:
        return []
    settings = Setting.objects.filter(organisation_id=actor.organisation_id, id__in={c.setting_id for c in children})
    since: dict[int, dt.date] = {}
    for setting in settings:
        half = TermCalendar.for_setting(setting).half_term_for(as_of)
        if half is not None:
            since[setting.pk] = half.starts_on
    if not since:
        return []
    start = min(since.values())
    rates = rates_by_child(actor.organisation_id, [c.pk for c in children if c.setting_id in since], start, as_of)
    out = []
    for c in children:
        r = rates.get(c.pk)
        # Each child's own half term: a later start means the marks before it are from another setting's calendar.
        if r is not None and c.setting_id in since and since[c.setting_id] == start and r.possible >= MIN_POSSIBLE \
                and r.present == r.possible:
            out.append(ToCelebrate(c, r, start))
    return out


def week_panel(actor: Actor, as_of: dt.date) -> list[ToCelebrate] | None:
    if not actor.is_member or not actor.is_key_worker:
        return None
    return full_attendance(actor, as_of) or None
