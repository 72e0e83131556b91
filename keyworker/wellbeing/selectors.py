"""Reads of wellbeing concerns and the agency directory, always scoped to the acting user.

A concern is seen by the leaders of its setting (allocations.manage there), the family's current key worker and the
person who raised it; not by the whole staff. Everyone in the organisation reads the agency directory.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.accounts.selectors import setting_leaders
from keyworker.caseload.models import KeyWorkerAllocation

from .models import Agency, WellbeingConcern, WellbeingFollowUp
from .policies import leader_setting_ids


def concern_filter(actor: Actor) -> Q:
    if not actor.is_member:
        return Q(pk__in=[])
    led = leader_setting_ids(actor)
    visible = Q(raised_by=actor.staff) | Q(
        family_id__in=KeyWorkerAllocation.objects.filter(staff=actor.staff, ends_at__isnull=True).values("family_id")
    )
    if led is None:
        visible = Q(pk__isnull=False)
    elif led:
        visible |= Q(setting_id__in=led)
    return Q(organisation_id=actor.organisation_id) & visible


def concerns_visible_to(actor: Actor) -> QuerySet[WellbeingConcern]:
    return WellbeingConcern.objects.filter(concern_filter(actor))


def with_details(qs: QuerySet[WellbeingConcern]) -> QuerySet[WellbeingConcern]:
    return qs.select_related("family", "setting", "raised_by__user", "closed_by__user")


def access_concern(actor: Actor, concern_id: int) -> WellbeingConcern:
    concern = with_details(concerns_visible_to(actor)).filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such wellbeing concern")
    return concern


def follow_ups_of(concern: WellbeingConcern) -> list[WellbeingFollowUp]:
    return list(concern.follow_ups.select_related("agency", "recorded_by__user").order_by("-happened_on", "-created_at", "-id"))


def leadership_team(organisation_id: int, setting_id: int) -> list[StaffMember]:
    """Current staff leading a setting (there or organisation-wide), each once, in one query."""
    return setting_leaders(organisation_id, setting_id)


# The agency directory ----------------------------------------------------------------------------------------


def agencies_visible_to(actor: Actor) -> QuerySet[Agency]:
    if not actor.is_member:
        return Agency.objects.none()
    return Agency.objects.filter(organisation_id=actor.organisation_id)


def access_agency(actor: Actor, agency_id: int) -> Agency:
    agency = agencies_visible_to(actor).filter(pk=agency_id).first()
    if agency is None:
        raise Http404("No such agency")
    return agency


def agencies_search(qs: QuerySet[Agency], *, text: str = "", area: str = "", place: str = "",
                    include_retired: bool = False) -> QuerySet[Agency]:
    """By need (an area code, or words in the name, service or notes) and by the area covered."""
    if not include_retired:
        qs = qs.filter(is_active=True)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(service__icontains=text) | Q(notes__icontains=text)
                       | Q(area_covered__icontains=text))
    if area:
        qs = qs.filter(areas__icontains=area)
    place = (place or "").strip()
    if place:
        qs = qs.filter(area_covered__icontains=place)
    return qs.order_by("name", "id")
