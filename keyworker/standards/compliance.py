"""The compliance figure, defined once: per clause (standard) and period, what was due, how it ended, and the share met.

Every page, the evidence pack (page and PDF), the API and the `compliance` command count with the annotations and
the classes of this module, so they print the same share for the same clause, setting, period and date.

The definition, in words (DEFINITION below says it on the pages and in the pack):

- An obligation belongs to the period that holds its due date. It counts once its due date has come: *due* is the
  obligations whose due date falls in the period and on or before the date of the figures (as of). One met early, for
  a due date still to come, is not counted yet (it counts on its due date, as met on time).
- Each due obligation is in exactly one of: *met on time*, *met late* (met by a record dated after its due date, or
  entered after its period ended), *missed* (its period closed, or its time ran out, without the record), *waived*
  (with a reason), *still open* (not met yet, and not yet missed).
- The *share met* = (met on time + met late) ÷ (due − waived). Nothing counts (no share) when due − waived is 0.
- Pages, the pack and the command's text print the share as a whole percent, halves rounded up (84.5% → 85%);
  the API and the command's JSON and CSV also give the exact figure.
"""

import datetime as dt
import re
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import Setting

from .models import OPEN_STATES, Obligation, ObligationState, Standard

S = ObligationState

DEFINITION = (
    "How the figures count: an obligation belongs to the period holding its due date and counts once that date has "
    "come (one met early for a later due date counts on that date). Each is met on time, met late, missed, waived "
    "with a reason, or still open. Share met = (met on time + met late) ÷ (due − waived), shown as a whole percent "
    "(halves rounded up)."
)


def clause_order(clause: str) -> tuple:
    """SCH-2 before SCH-10, SCH-5a before SCH-5b: the numbers in a clause compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", clause))


def standard_order(standard: Standard) -> tuple:
    return (clause_order(standard.clause), standard.pk)


def applies_to(standard: Standard, setting: Setting) -> bool:
    """A standard applies to the kinds of setting it names (all kinds when it names none): a childcare setting never
    lists a school clause, and a school never a childcare one."""
    return not standard.setting_kinds or setting.kind in standard.setting_kinds


def whole_percent(part: int, whole: int) -> int | None:
    """part ÷ whole as a whole percent, halves rounded up; None when whole is 0."""
    if whole <= 0:
        return None
    if part >= 0:  # halves up in whole numbers: the same as the Decimal below, without it
        return (200 * part + whole) // (2 * whole)
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Share:
    """What is met out of what counts (due, the waived left out)."""

    met: int
    due: int

    @cached_property  # a heatmap asks each cell's share for it several times (the figure, the word, the order)
    def percent(self) -> int | None:
        """The share as printed: a whole percent, halves rounded up."""
        return whole_percent(self.met, self.due)

    @property
    def exact(self) -> float | None:
        """The share as an exact percentage, unrounded (the API gives it beside the whole percent)."""
        return 100 * self.met / self.due if self.due > 0 else None

    @property
    def level(self) -> dict[str, str]:
        """A word, an icon and a tone for the share: on track (90% or more), slipping (70% or more), behind."""
        p = self.percent
        if p is None:
            return {"word": "Nothing due", "icon": "–", "tone": "none"}
        if p >= 90:
            return {"word": "On track", "icon": "✓", "tone": "ok"}
        if p >= 70:
            return {"word": "Slipping", "icon": "◷", "tone": "warn"}
        return {"word": "Behind", "icon": "!", "tone": "bad"}

    def __str__(self) -> str:
        return "Nothing due" if self.percent is None else f"{self.percent}%"


@dataclass(frozen=True)
class Figures:
    """One clause's (or one cell's) figures for a period as of a date. due = the five states below added up."""

    due: int = 0
    met_on_time: int = 0
    met_late: int = 0
    missed: int = 0
    waived: int = 0
    still_open: int = 0

    @property
    def met(self) -> int:
        return self.met_on_time + self.met_late

    @property
    def counted(self) -> int:
        """What the share is out of: due, the waived left out."""
        return self.due - self.waived

    @cached_property
    def share(self) -> Share:
        return Share(self.met, self.counted)

    def __add__(self, other: "Figures") -> "Figures":
        # Field by field, written out: a heatmap's totals add thousands of cells.
        return Figures(self.due + other.due, self.met_on_time + other.met_on_time, self.met_late + other.met_late,
                       self.missed + other.missed, self.waived + other.waived, self.still_open + other.still_open)

    @classmethod
    def from_row(cls, row: dict[str, Any], prefix: str = "") -> "Figures":
        """From a row annotated with figure_counts(prefix=...)."""
        return cls(**{f.name: row.get(f"{prefix}{f.name}") or 0 for f in fields(cls)})

    def as_dict(self) -> dict[str, Any]:
        """The counts, the share as printed (whole percent) and exact: the API's and the command's shape."""
        share = self.share
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "met": self.met, "percent": share.percent,
                "percent_exact": share.exact}


def counted(as_of: dt.date) -> Q:
    """The obligations a figure as of a date counts: those whose due date has come."""
    return Q(due_on__lte=as_of)


def in_period(start: dt.date, end: dt.date, as_of: dt.date) -> Q:
    """Obligations of the period (by due date) that count as of the date."""
    return Q(due_on__range=(start, end)) & counted(as_of)


MET_LATE = Q(met_late=True) | Q(met_on__gt=F("due_on"))


def figure_counts(window: Q, prefix: str = "") -> dict[str, Count]:
    """The SQL counts of Figures over the obligations in `window` (e.g. in_period(...)), to annotate a grouped query;
    several windows (half terms) can share one query with different prefixes."""
    met = window & Q(state=S.MET)
    return {
        f"{prefix}due": Count("id", filter=window),
        f"{prefix}met_on_time": Count("id", filter=met & ~MET_LATE),
        f"{prefix}met_late": Count("id", filter=met & MET_LATE),
        f"{prefix}missed": Count("id", filter=window & Q(state=S.MISSED)),
        f"{prefix}waived": Count("id", filter=window & Q(state=S.WAIVED)),
        f"{prefix}still_open": Count("id", filter=window & Q(state__in=OPEN_STATES)),
    }


# The API's and the command's figures: per clause and per key worker, over a period or the school year so far ---------


def year_start(setting: Setting, as_of: dt.date) -> dt.date:
    """First day of the school year holding as_of: from the term calendar, else 1 September."""
    start = TermCalendar.for_setting(setting).school_year_start(as_of)
    if start is not None:
        return start
    return dt.date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)


def compliance_figures(
    obligations: QuerySet[Obligation], settings: list[Setting], as_of: dt.date,
    start: dt.date | None = None, end: dt.date | None = None,
) -> dict[str, Any]:
    """Figures over `obligations` (already scoped) of the given settings, in two grouped queries: per clause and per
    key worker. The period is start to end when given; else each setting's school year so far (to as_of)."""
    if not settings:
        return {"from_date": start, "to_date": end or as_of, "standards": [], "key_workers": []}
    # Only the clauses that apply to each setting's kind: a school's figures never list a childcare clause.
    standards = list(Standard.objects.filter(organisation_id=settings[0].organisation_id))
    window = Q(pk__in=[])
    starts = {}
    for setting in settings:
        starts[setting.pk] = start or year_start(setting, as_of)
        window |= Q(setting_id=setting.pk, standard_id__in=[s.pk for s in standards if applies_to(s, setting)]) & (
            in_period(starts[setting.pk], end or as_of, as_of))
    qs = obligations.filter(window)
    counts = figure_counts(Q())
    rows = list(qs.values("standard_id", "standard__clause", "standard__title").annotate(**counts).order_by())
    rows.sort(key=lambda r: (clause_order(r["standard__clause"]), r["standard_id"]))
    by_clause = [
        {"standard": r["standard_id"], "clause": r["standard__clause"], "title": r["standard__title"],
         **Figures.from_row(r).as_dict()}
        for r in rows
    ]
    key_workers = [
        {"staff": r["responsible_staff_id"], "name": r["responsible_staff__user__full_name"] or "No key worker",
         **Figures.from_row(r).as_dict()}
        for r in qs.values("responsible_staff_id", "responsible_staff__user__full_name").annotate(**counts)
        .order_by("responsible_staff__user__full_name", "responsible_staff_id")
    ]
    # Databases disagree on where NULL sorts: the obligations without a key worker go last everywhere.
    key_workers.sort(key=lambda r: r["staff"] is None)
    return {"from_date": min(starts.values()), "to_date": end or as_of, "standards": by_clause,
            "key_workers": key_workers}


# Periods: half terms, each with the holiday after it -----------------------------------------------------------------


def half_term_windows(cal: TermCalendar) -> list[Period]:
    """The setting's half terms as periods of the figures: each runs from its first day to the day before the next
    half term starts, so an obligation due in a holiday (childcare settings open in the holidays; a one-off due on a
    Saturday) counts in the half term before it. The last half term known ends on its last day."""
    halves = cal.half_terms
    out = []
    for i, h in enumerate(halves):
        end = halves[i + 1].starts_on - dt.timedelta(days=1) if i + 1 < len(halves) else h.ends_on
        out.append(Period(h.name, h.starts_on, max(end, h.ends_on), h.school_year))
    return out


def half_term_of(cal: TermCalendar, as_of: dt.date) -> Period | None:
    """The half term (with the holiday after it) holding as_of, or the last one started before it."""
    return next((h for h in reversed(half_term_windows(cal)) if h.starts_on <= as_of), None)
