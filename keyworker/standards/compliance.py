"""Compliance figures: obligations due this school year, per standard and per key worker, in two SQL aggregates.

The compliance command reads them for a whole organisation, the API for what the caller may see.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting

from .models import Obligation, ObligationState

COUNTS = {
    "due": Count("id"),
    "met": Count("id", filter=Q(state=ObligationState.MET)),
    "overdue": Count("id", filter=Q(state=ObligationState.OVERDUE)),
    "escalated": Count("id", filter=Q(state=ObligationState.ESCALATED)),
    "waived": Count("id", filter=Q(state=ObligationState.WAIVED)),
}


def year_start(setting: Setting, as_of: dt.date) -> dt.date:
    """First day of the school year holding as_of: from the term calendar, else 1 September."""
    start = TermCalendar.for_setting(setting).school_year_start(as_of)
    if start is not None:
        return start
    return dt.date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)


def percent(met: int, due: int, waived: int) -> float | None:
    """Met as a share of what was due, leaving out what was waived; None when nothing counts."""
    counted = due - waived
    return round(100 * met / counted, 1) if counted > 0 else None


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in COUNTS}
    out["percent_met"] = percent(row["met"], row["due"], row["waived"])
    return out


def compliance_figures(obligations: QuerySet[Obligation], settings: list[Setting], as_of: dt.date) -> dict[str, Any]:
    """Figures over `obligations` (already scoped) due from each setting's year start up to as_of."""
    window = Q()
    starts = {}
    for setting in settings:
        starts[setting.pk] = year_start(setting, as_of)
        window |= Q(setting_id=setting.pk, due_on__gte=starts[setting.pk])
    qs = obligations.filter(window, due_on__lte=as_of) if settings else Obligation.objects.none()
    standards = [
        {"standard": r["standard_id"], "clause": r["standard__clause"], "title": r["standard__title"], **_figures(r)}
        for r in qs.values("standard_id", "standard__clause", "standard__title").annotate(**COUNTS)
        .order_by("standard__clause", "standard_id")
    ]
    key_workers = [
        {"staff": r["responsible_staff_id"], "name": r["responsible_staff__user__full_name"] or "No key worker",
         **_figures(r)}
        for r in qs.values("responsible_staff_id", "responsible_staff__user__full_name").annotate(**COUNTS)
        .order_by("responsible_staff__user__full_name", "responsible_staff_id")
    ]
    # Databases disagree on where NULL sorts: the obligations without a key worker go last everywhere.
    key_workers.sort(key=lambda r: r["staff"] is None)
    return {"from_date": min(starts.values()) if starts else None, "standards": standards, "key_workers": key_workers}
