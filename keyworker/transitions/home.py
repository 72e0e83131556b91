"""What the carers' home shows: the next transition visit (coming), once the dates are shared with the family, and
a write-up of a visit shared in the last fortnight (good news)."""

import datetime as dt

from django.urls import reverse

from keyworker.core.extensions import COMING, CarerHomeItem, CarerHomeSource, register_carer_home_source

from .selectors import carer_plans


def next_visits(access, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    out = []
    for row in carer_plans(access, as_of):
        coming = [v for v in row.visits if v.ends_at >= now]
        if not coming:
            continue
        v = coming[0]
        name = row.plan.child.preferred_name or row.plan.child.legal_first_name
        out.append(CarerHomeItem(COMING, f"{name}'s visit to {row.plan.destination_school}", v.starts_at,
                                 v.place or "Year 6 transition visit", reverse("portal:transition", args=[row.plan.pk]),
                                 name, row.plan.family_id))
    return out


def register() -> None:
    register_carer_home_source(CarerHomeSource("transitions.next_visit", COMING, next_visits))
