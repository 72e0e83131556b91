"""Attendance concerns, read as the acting user: leaders of the child's setting, and the child's key worker."""

from django.db.models import Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.caseload.models import KeyWorkerAllocation

from .models import AttendanceConcern
from .policies import leader_setting_ids


def concerns_visible_to(actor: Actor) -> QuerySet[AttendanceConcern]:
    """Leaders of the child's setting see its concerns; a key worker the concerns of their own families' children."""
    if not actor.is_member:
        return AttendanceConcern.objects.none()
    q = Q(setting_id__in=leader_setting_ids(actor))
    if actor.staff is not None:
        families = KeyWorkerAllocation.objects.filter(
            organisation_id=actor.organisation_id, staff=actor.staff, ends_at__isnull=True).values("family_id")
        q |= Q(child__family_id__in=families)
    return AttendanceConcern.objects.filter(q, organisation_id=actor.organisation_id)


def access_concern(actor: Actor, concern_id: int) -> AttendanceConcern:
    concern = concerns_visible_to(actor).select_related("child__family", "child__group", "setting", "closed_by").filter(
        pk=concern_id).first()
    if concern is None:
        raise Http404("No such concern")
    return concern
