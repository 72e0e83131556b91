"""What the carers' portal home shows of celebrations: good news shared with the family, newest first."""

import datetime as dt

from keyworker.core.extensions import GOOD_NEWS, CarerHomeItem, CarerHomeSource, register_carer_home_source
from keyworker.people import carer_access

from .models import Celebration

LIMIT = 5
SHOWN_FOR_DAYS = 120  # a term and a bit: older news has had its moment


def good_news(access, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    """Celebrations shared with the family (postcard, app, in person…), not voided, of children the carer may see:
    one query."""
    family_ids = access.family_ids_with(carer_access.GOOD_NEWS)
    if not family_ids:
        return []
    rows = (
        Celebration.objects.filter(family_id__in=family_ids, shared_on__isnull=False, voided_at__isnull=True,
                                   shared_on__lte=as_of, shared_on__gte=as_of - dt.timedelta(days=SHOWN_FOR_DAYS))
        .select_related("child", "recorded_by__user")
        .order_by("-shared_on", "-id")[:LIMIT]
    )
    return [
        CarerHomeItem(
            kind=GOOD_NEWS, title=f"{c.get_kind_display()}: {c.title}", when=c.celebrated_on,
            detail=f"From {c.recorded_by.user.full_name}" + (f" · {c.points} points" if c.points else ""),
            child=c.child.preferred_name or c.child.legal_first_name, family_id=c.family_id,
        )
        for c in rows
    ]


def register() -> None:
    register_carer_home_source(CarerHomeSource(code="celebrations", kind=GOOD_NEWS, fetch=good_news))
