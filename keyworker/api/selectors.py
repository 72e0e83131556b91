"""Scoped reads the API needs that the apps do not offer as selectors: settings, classes, allocations."""

from django.db.models import QuerySet

from keyworker.accounts.access import Actor
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.organisations.models import Group, Setting
from keyworker.people.selectors import families_visible_to


def settings_visible_to(actor: Actor) -> QuerySet[Setting]:
    return actor.settings()


def groups_visible_to(actor: Actor) -> QuerySet[Group]:
    if not actor.is_member:
        return Group.objects.none()
    return Group.objects.filter(organisation_id=actor.organisation_id, setting__in=actor.settings().values("id"))


def allocations_visible_to(actor: Actor) -> QuerySet[KeyWorkerAllocation]:
    """Current and past allocations of the families the actor may see (as caseload.selectors.access_allocation)."""
    if not actor.is_member:
        return KeyWorkerAllocation.objects.none()
    return KeyWorkerAllocation.objects.filter(
        organisation_id=actor.organisation_id, family__in=families_visible_to(actor).values("id")
    )
