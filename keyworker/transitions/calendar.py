"""Transition visits in the carers' calendar feed: the visits of the family's plan once their dates are shared with the
family (the carer's TRANSITIONS section), from the feed's look-back onwards. Two queries."""

import datetime as dt

from django.db.models import Max

from keyworker.core.extensions import CarerCalendarSource, register_carer_calendar_source
from keyworker.people.carer_access import TRANSITIONS, links_with

from .models import TransitionVisit

FEED_PAST = dt.timedelta(days=120)


def carer_visits(user, now: dt.datetime) -> list[dict]:
    family_ids = [c.family_id for c in links_with(user, TRANSITIONS)]
    if not family_ids:
        return []
    rows = (TransitionVisit.objects.filter(family_id__in=family_ids, ends_at__gte=now - FEED_PAST)
            .annotate(last_share=Max("plan__shares__shared_at"))
            .values("id", "sequence", "starts_at", "ends_at", "place", "created_at", "updated_at", "last_share",
                    "plan__destination_school", "plan__setting__name", "plan__setting__time_zone",
                    "child__preferred_name", "child__legal_first_name"))
    out = []
    for r in rows:
        if r["last_share"] is None or r["created_at"] > r["last_share"]:
            continue  # not told to the family yet
        name = r["child__preferred_name"] or r["child__legal_first_name"]
        out.append({
            "id": r["id"], "uid": f"transition-visit-{r['id']}", "sequence": r["sequence"], "kind": "transition_visit",
            "title": f"{name}'s visit to {r['plan__destination_school']}", "starts_at": r["starts_at"],
            "ends_at": r["ends_at"], "place": r["place"], "video_link": "", "status": "confirmed",
            "created_at": r["created_at"], "updated_at": r["updated_at"], "setting__name": r["plan__setting__name"],
            "setting__time_zone": r["plan__setting__time_zone"],
        })
    return out


def register() -> None:
    register_carer_calendar_source(CarerCalendarSource("transitions.visits", carer_visits))
