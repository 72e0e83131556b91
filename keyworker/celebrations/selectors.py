"""Reads of celebrations, always scoped to the acting user's families."""

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.people.selectors import families_visible_to

from .models import Celebration


def celebrations_visible_to(actor: Actor) -> QuerySet[Celebration]:
    if not actor.is_member:
        return Celebration.objects.none()
    return Celebration.objects.filter(organisation_id=actor.organisation_id, family_id__in=families_visible_to(actor).values("id"))


def with_details(qs: QuerySet[Celebration]) -> QuerySet[Celebration]:
    """Child (with class), family, setting, who recorded and shared it, and the contact, joined: one query for a page."""
    return qs.select_related("child__group", "family", "setting", "recorded_by__user", "shared_by__user", "voided_by", "contact")


def access_celebration(actor: Actor, celebration_id: int) -> Celebration:
    celebration = with_details(celebrations_visible_to(actor)).filter(pk=celebration_id).first()
    if celebration is None:
        raise Http404("No such celebration")
    return celebration


def celebrations_filter(
    qs: QuerySet[Celebration], *, kind: str = "", family_id: int | None = None, child_id: int | None = None,
    setting_id: int | None = None, group_id: int | None = None, recorded_by_id: int | None = None,
    key_worker_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
    shared: bool | None = None, include_voided: bool = True,
) -> QuerySet[Celebration]:
    if kind:
        qs = qs.filter(kind=kind)
    if family_id:
        qs = qs.filter(family_id=family_id)
    if child_id:
        qs = qs.filter(child_id=child_id)
    if setting_id:
        qs = qs.filter(setting_id=setting_id)
    if group_id:
        qs = qs.filter(child__group_id=group_id)
    if recorded_by_id:
        qs = qs.filter(recorded_by_id=recorded_by_id)
    if key_worker_id:
        # The families the staff member is the current key worker of (one subquery, not a row per family).
        from keyworker.caseload.models import KeyWorkerAllocation

        qs = qs.filter(family_id__in=KeyWorkerAllocation.objects.filter(staff_id=key_worker_id, ends_at__isnull=True).values("family_id"))
    if date_from:
        qs = qs.filter(celebrated_on__gte=date_from)
    if date_to:
        qs = qs.filter(celebrated_on__lte=date_to)
    if shared is not None:
        qs = qs.filter(shared_on__isnull=not shared)
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return qs
