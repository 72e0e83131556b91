"""Scoped reads the API needs that the apps do not offer as selectors: allocations."""

from django.db.models import QuerySet

from keyworker.accounts.access import Actor
from keyworker.accounts.selectors import groups_visible_to, settings_visible_to
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people.selectors import families_visible_to

__all__ = ["allocations_visible_to", "groups_visible_to", "settings_visible_to"]


def allocations_visible_to(actor: Actor) -> QuerySet[KeyWorkerAllocation]:
    """Current and past allocations of the families the actor may see (as caseload.selectors.access_allocation)."""
    if not actor.is_member:
        return KeyWorkerAllocation.objects.none()
    return KeyWorkerAllocation.objects.filter(
        organisation_id=actor.organisation_id, family__in=families_visible_to(actor).values("id")
    )
