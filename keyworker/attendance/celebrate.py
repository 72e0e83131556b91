"""Positive attendance to celebrate (SCH-5): a key worker's children with every possible session attended this half
term so far, once it has run for two school weeks. Fixed queries: the caseload's children and their settings' calendars
(shared with My week's other panels), one aggregate."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_children, on_roll_between
from keyworker.organisations.calendar import calendar_for
from keyworker.people.models import Child

from .selectors import Rates, rates_by_child

MIN_POSSIBLE = 20  # two school weeks of sessions


@dataclass(frozen=True)
class ToCelebrate:
    child: Child
    rates: Rates
    since: dt.date


def full_attendance(actor: Actor, as_of: dt.date) -> list[ToCelebrate]:
    if not actor.is_member or actor.staff is None:
        return []
    # The caseload's children and their settings' calendars, as My week shares them with the other panels.
    children = [c for c in caseload_children(actor) if on_roll_between(c, as_of, as_of)]
    if not children:
        return []
    settings = {c.setting_id: c.setting for c in children}
    since: dict[int, dt.date] = {}
    for setting in settings.values():
        half = calendar_for(setting, actor).half_term_for(as_of)
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
