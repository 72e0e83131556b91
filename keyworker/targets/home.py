"""What the carers' home shows: learning targets newly shared with the family (good news), and homework due this
week and not yet handed in (to do)."""

import datetime as dt

from django.urls import reverse

from keyworker.core.extensions import (
    GOOD_NEWS,
    TO_DO,
    CarerHomeItem,
    CarerHomeSource,
    register_carer_home_source,
)

from .models import ShareMethod
from .selectors import carer_homework_due, carer_new_sharings


def _name(child) -> str:
    return child.preferred_name or child.legal_first_name


def shared_items(access, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    out, seen = [], set()
    for s in carer_new_sharings(access, as_of):
        if s.child_id in seen:
            continue
        seen.add(s.child_id)
        name = _name(s.child)
        how = "" if s.method == ShareMethod.PORTAL else f" ({s.get_method_display().lower()})"
        out.append(CarerHomeItem(GOOD_NEWS, f"{name}'s learning targets", s.shared_on,
                                 f"Shared with you{how}: what {name} is working on and how you can help at home.",
                                 reverse("portal:targets_child", args=[s.child_id]), name, s.family_id))
    return out


def homework_items(access, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    return [CarerHomeItem(TO_DO, f"Homework for {_name(child)}: {hw.title}", hw.due_on,
                          hw.how_to_help or "Due in at school by this day.",
                          reverse("portal:homework_child", args=[child.pk]), _name(child), child.family_id)
            for child, hw in carer_homework_due(access, as_of)]


def register() -> None:
    register_carer_home_source(CarerHomeSource("targets.shared", GOOD_NEWS, shared_items))
    register_carer_home_source(CarerHomeSource("targets.homework", TO_DO, homework_items))
