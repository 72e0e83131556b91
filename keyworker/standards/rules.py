"""The rules the engine computes: each standard's definition in force, and the periods it applies to.

A standard's definition can change with a date (a StandardRevision's `effective_from`), and a policy version
replaces the last from its own effective date. Each change yields a Rule: the definition, and the period starts
it governs. A period belongs to the rule in force on the day it starts, so the obligations of a period are those
of exactly one rule, and closed periods keep the rule they were computed under.

A policy version's standards are paired with the previous version's by position and clause (the obligations
move to the new version's standard when it comes into force): the rules of one such line of standards all carry
the id of the newest standard in force, and the older standards' definitions govern the periods that start
before the newer version's effective date.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting

from .evidence import event_source, evidence_source
from .models import EVENT_CADENCES, Cadence, SettledPeriods, Standard, StandardRevision

# What the engine reads of a standard.
STANDARD_FIELDS = (
    "id", "organisation_id", "setting_kinds", "conditions", "subject", "cadence", "cadence_n", "evidence", "event",
    "evidence_conditions", "responsible", "due_soon_days", "escalate_after_days", "day_count", "grace_school_days",
    "one_off_open_school_days",
)

# The fields a change may touch (validation.EDITABLE_FIELDS; repeated here so that rules import nothing above them).
DEFINITION_FIELDS = (
    "title", "description", "enabled", "setting_kinds", "conditions", "subject", "cadence", "cadence_n", "evidence",
    "evidence_conditions", "event", "responsible", "due_soon_days", "escalate_after_days", "escalate_to_roles",
)
# Two definitions that agree on these produce the same obligations: a span boundary between them is dropped.
_COMPUTED = ("enabled", *(f for f in STANDARD_FIELDS if f not in ("id", "organisation_id")))
# Policy numbers that are not edited on the standard's form: they come with the standard's row.
_ROW_ONLY = ("day_count", "grace_school_days", "one_off_open_school_days")


@dataclass(frozen=True)
class Rule:
    """A standard's definition over a span of period starts: [starts_on, ends_before); None leaves a side open.

    `standard` has the standard's id; when the definition in force differs from the stored row's, it is an
    unsaved copy holding that definition."""

    standard: Standard
    starts_on: dt.date | None = None
    ends_before: dt.date | None = None
    # The date the policy was adopted (its first version took effect): a policy asks nothing of a period that ended
    # before then (last week's contact, an absence followed up before it), while the period under way counts.
    adopted_on: dt.date | None = None

    def governs(self, period_start: dt.date, period_end: dt.date | None = None) -> bool:
        if self.adopted_on is not None and period_end is not None and period_end < self.adopted_on:
            return False
        return (self.starts_on is None or period_start >= self.starts_on) and (
            self.ends_before is None or period_start < self.ends_before
        )


def _computable(s: Standard) -> bool:
    return evidence_source(s.evidence) is not None and (s.cadence not in EVENT_CADENCES or event_source(s.event) is not None)


def _row_definition(s: Standard) -> dict[str, Any]:
    return {f: getattr(s, f) for f in (*DEFINITION_FIELDS, *_ROW_ONLY)}


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _spans(standard: Standard, revisions: list[tuple], final: dict[str, Any], life_start: dt.date | None,
           life_end: dt.date | None) -> list[tuple[dt.date | None, dict[str, Any]]]:
    """A standard's definitions over its life, as (first period start, definition), in date order.

    `revisions` are its (before, after, effective_from) in the order they were made. Changes without a date are
    older than dating: they are part of the definition from the start. Each dated change applies the fields it
    changed from its date on (never before the standard's life starts), so changes made out of date order chain."""
    dated = [r for r in revisions if r[2] is not None]
    if not dated:
        return [(life_start, final)]
    base = {**final, **{f: v for f, v in dated[0][0].items() if f in DEFINITION_FIELDS}}
    changes = sorted(
        ((_later(eff, life_start), i, {f: v for f, v in after.items() if f in DEFINITION_FIELDS and before.get(f) != v})
         for i, (before, after, eff) in enumerate(dated)),
        key=lambda c: (c[0] or dt.date.min, c[1]),
    )
    spans: list[tuple[dt.date | None, dict[str, Any]]] = [(life_start, base)]
    for on, _, diff in changes:
        if life_end is not None and on is not None and on >= life_end:
            continue  # takes effect after a newer version replaced this standard
        current = {**spans[-1][1], **diff}
        if spans[-1][0] == on:
            spans[-1] = (on, current)
        else:
            spans.append((on, current))
    return spans


def _copy(row: Standard, pk: int, definition: dict[str, Any]) -> Standard:
    copy = Standard(
        pk=pk, organisation_id=row.organisation_id, policy_version_id=row.policy_version_id, clause=row.clause,
        version=row.version, **definition,
    )
    copy.settled_on = getattr(row, "settled_on", None)
    return copy


def rules_for(organisation_id: int, since: dt.date, as_of: dt.date) -> list[Rule]:
    """The rules governing periods that start on or after `since` (as_of and the look-ahead included), ordered by
    standard and date; two queries (standards with their versions, and the changes to them) whatever the number of
    changes, one when the organisation has no policy or no standard has changed. Each rule's standard also carries
    `settled_on`, the day its periods are settled to (SettledPeriods), or None."""
    by_version: dict[int, list[Standard]] = defaultdict(list)
    versions: dict[int, tuple[int, int, dt.date]] = {}
    settled = SettledPeriods.objects.filter(standard_id=OuterRef("pk")).values("settled_on")[:1]
    changed = False
    for s in (Standard.objects.filter(organisation_id=organisation_id, policy_version__in_force=True)
              .select_related("policy_version")
              .annotate(settled_on=Subquery(settled), changed=Exists(StandardRevision.objects.filter(standard_id=OuterRef("pk"))))
              .order_by("id")):
        by_version[s.policy_version_id].append(s)
        v = s.policy_version
        versions[v.pk] = (v.policy_id, v.number, v.effective_from)
        changed = changed or s.changed
    if not versions:
        return []
    revisions: dict[int, list[tuple]] = defaultdict(list)
    for sid, before, after, eff in (
        StandardRevision.objects.filter(organisation_id=organisation_id, standard__policy_version__in_force=True)
        .order_by("changed_at", "id").values_list("standard_id", "before", "after", "effective_from")
    ) if changed else ():
        revisions[sid].append((before, after, eff))

    # Lines of standards across the versions of each policy, oldest first: (standard, life start, life end).
    by_policy: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for vid, (pid, _number, eff) in sorted(versions.items(), key=lambda v: (v[1][0], v[1][1])):
        by_policy[pid].append((vid, eff))
    lines: list[list[tuple[Standard, dt.date | None, dt.date | None]]] = []
    adopted: dict[int, dt.date] = {}  # id(line) -> the date its policy's first version took effect
    for chain in by_policy.values():
        open_lines: list[list] = []
        for i, (vid, eff) in enumerate(chain):
            start = None if i == 0 else eff
            end = chain[i + 1][1] if i + 1 < len(chain) else None
            current = by_version.get(vid, [])
            next_lines: list[list] = []
            for j, s in enumerate(current):
                line = open_lines[j] if j < len(open_lines) and open_lines[j][-1][0].clause == s.clause else None
                if line is None:
                    line = []
                    lines.append(line)
                    adopted[id(line)] = chain[0][1]
                line.append((s, start, end))
                next_lines.append(line)
            open_lines = next_lines

    rules: list[Rule] = []
    for line in lines:
        newest = line[-1][0]
        spans: list[tuple[dt.date | None, Standard, dict[str, Any]]] = []
        for k, (s, start, end) in enumerate(line):
            if k + 1 < len(line):
                # A replaced standard ends as its copy in the next version began (its row was switched off then).
                successor = line[k + 1][0]
                later = revisions.get(successor.pk)
                final = {**_row_definition(s), **(later[0][0] if later else _row_definition(successor))}
                final = {f: final[f] for f in (*DEFINITION_FIELDS, *_ROW_ONLY)}
                final.update({f: getattr(s, f) for f in _ROW_ONLY})
            else:
                final = _row_definition(s)
            for on, definition in _spans(s, revisions.get(s.pk, []), final, start, end):
                if end is not None and on is not None and on >= end:
                    continue
                spans.append((on, s, definition))
        # Merge neighbours that compute alike; a span ends where the next begins.
        merged: list[list] = []
        for on, s, definition in spans:
            if merged and all(merged[-1][2].get(f) == definition.get(f) for f in _COMPUTED):
                continue
            if merged and merged[-1][0] == on:
                merged[-1] = [on, s, definition]
                continue
            merged.append([on, s, definition])
        for i, (on, _s, definition) in enumerate(merged):
            ends = merged[i + 1][0] if i + 1 < len(merged) else None
            if not definition.get("enabled") or (ends is not None and ends <= since):
                continue
            row = _row_definition(newest)
            standard = newest if all(row.get(f) == definition.get(f) for f in _COMPUTED) else _copy(newest, newest.pk, definition)
            if _computable(standard):
                rules.append(Rule(standard, on, ends, adopted.get(id(line))))
    rules.sort(key=lambda r: (r.standard.pk, r.starts_on or dt.date.min))
    return rules


# When a change takes effect ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeDates:
    """For a change to a standard made on `today`: the earliest date it may take effect (the start of the period
    under way: closed periods keep their rule) and the default (the start of the next period)."""

    today: dt.date
    earliest: dt.date
    default: dt.date
    period_words: str  # what the default is, in words: "the next school week", "the next half term", …


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def calendar_for(standard: Standard) -> TermCalendar | None:
    """The term calendar of the first setting the standard applies to (of the organisation's first setting)."""
    settings = list(Setting.objects.filter(organisation_id=standard.organisation_id).order_by("id"))
    kinds = set(standard.setting_kinds or ())
    chosen = next((s for s in settings if not kinds or s.kind in kinds), settings[0] if settings else None)
    return TermCalendar.for_setting(chosen) if chosen is not None else None


def change_dates(standard: Standard, today: dt.date, cal: TermCalendar | None) -> ChangeDates:
    """The periods of the standard's cadence (as it is defined now) around today, in the setting's term calendar."""
    cadence, n = standard.cadence, max(standard.cadence_n or 1, 1)
    year_start = cal.school_year_start(today) if cal is not None else None
    if cadence == Cadence.WEEKLY_TERM_TIME:
        step = dt.timedelta(weeks=n)
        anchor = _monday(year_start) if year_start is not None else _monday(today)
        current = anchor + step * ((today - anchor).days // step.days)
        words = "the next school week" if n == 1 else f"the next period of {n} school weeks"
        return ChangeDates(today, current, current + step, words)
    if cadence in (Cadence.HALF_TERMLY, Cadence.TERMLY) and cal is not None:
        periods = cal.half_terms if cadence == Cadence.HALF_TERMLY else cal.terms
        words = "the next half term" if cadence == Cadence.HALF_TERMLY else "the next term"
        under_way = next((p for p in periods if p.starts_on <= today <= p.ends_on), None)
        upcoming = next((p for p in periods if p.starts_on > today), None)
        earliest = under_way.starts_on if under_way is not None else today
        if upcoming is not None:
            return ChangeDates(today, earliest, upcoming.starts_on, words)
        return ChangeDates(today, earliest, today + dt.timedelta(days=1), "tomorrow")
    if cadence == Cadence.EVERY_N_MONTHS or cadence in (Cadence.HALF_TERMLY, Cadence.TERMLY):
        start = year_start if (cadence == Cadence.EVERY_N_MONTHS and year_start is not None) else today.replace(day=1)
        following = _add_months(start, n)
        while following <= today:
            start, following = following, _add_months(following, n)
        words = "the next month" if n == 1 else f"the next period of {n} months"
        return ChangeDates(today, start, following, words)
    # One-off obligations (after enrolment, before or after each event): each has its own window; a change
    # applies to those whose window starts from its date.
    return ChangeDates(today, today, today + dt.timedelta(days=1), "tomorrow")
