"""Who may allocate key workers, reassign caseloads and see the staff pages: one place for the pages and services."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import settings_with


def can_allocate(actor: Actor, setting_id: int | None = None) -> bool:
    """Allocates and reassigns key workers in the setting (without one: in a setting somewhere)."""
    return actor.is_member and actor.can(caps.MANAGE_ALLOCATIONS, setting_id)


def require_allocate(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.MANAGE_ALLOCATIONS, setting_id)


def allocation_settings(actor: Actor) -> list:
    """The settings where the actor allocates key workers."""
    return settings_with(actor, caps.MANAGE_ALLOCATIONS)


def can_manage_staff(actor: Actor) -> bool:
    return actor.is_member and actor.can(caps.MANAGE_STAFF)


def require_manage_staff(actor: Actor) -> None:
    """Adding, editing and recording the leaving of staff (else 403)."""
    actor.require(caps.MANAGE_STAFF)


def require_staff_pages(actor: Actor) -> None:
    """The staff list and a staff member's caseload: for who manages staff or allocates key workers (else 403)."""
    if not actor.is_member:
        raise Http404
    if not (can_manage_staff(actor) or can_allocate(actor)):
        raise PermissionDenied


def require_protection_status(actor: Actor) -> None:
    """The safeguarding team sets a child's protection status."""
    actor.require(caps.SAFEGUARDING_TEAM)
