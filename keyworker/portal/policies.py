"""Who may invite carers to the portal: the admin office, leaders, and the family's key worker. One place for the
pages, services and API."""

from django.core.exceptions import PermissionDenied

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import current_allocations
from keyworker.people.models import Family


def may_invite_anyone(actor: Actor, setting_id: int | None = None) -> bool:
    """The admin office and leaders (they manage people or allocate key workers) invite any family they see, or
    a whole class."""
    return actor.is_member and (actor.can(caps.MANAGE_PEOPLE, setting_id) or actor.can(caps.LEADS_SETTING, setting_id))


def may_invite(actor: Actor, family: Family) -> bool:
    """May the actor invite this family's carers? (The family is one they see: the caller fetched it in scope.)"""
    if not actor.is_member or family.organisation_id != actor.organisation_id:
        return False
    if may_invite_anyone(actor):
        return True
    current = getattr(family, "current_allocations", None)  # prefetched by caseload's with_key_workers: no query
    if current is not None:
        return any(a.staff_id == actor.staff.pk for a in current)
    return current_allocations().filter(family=family, staff=actor.staff).exists()


def require_invite(actor: Actor, family: Family) -> None:
    if not may_invite(actor, family):
        raise PermissionDenied("Only the admin office, leaders and the family's key worker invite carers to the portal.")


def require_invite_class(actor: Actor, setting_id: int) -> None:
    if not may_invite_anyone(actor, setting_id):
        raise PermissionDenied("Only the admin office and leaders invite a whole class to the portal.")
