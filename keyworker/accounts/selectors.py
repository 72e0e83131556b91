"""Reads of staff, and of the settings and classes they work in, scoped to the acting user's organisation."""

from django.db.models import QuerySet

from keyworker.organisations.models import Group, Setting

from .access import Actor
from .models import StaffInvitation, StaffMember


def staff_visible_to(actor: Actor) -> QuerySet[StaffMember]:
    if not actor.is_member:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(organisation_id=actor.organisation_id)


def settings_visible_to(actor: Actor) -> QuerySet[Setting]:
    """Settings the person works in (all of the organisation's for organisation-wide roles)."""
    return actor.settings()


def groups_visible_to(actor: Actor) -> QuerySet[Group]:
    """Classes and rooms of the settings the person works in."""
    if not actor.is_member:
        return Group.objects.none()
    return Group.objects.filter(organisation_id=actor.organisation_id, setting__in=actor.settings().values("id"))


def invitations_for(user) -> QuerySet[StaffInvitation]:
    """A person's own invitations to join organisations; nobody else's."""
    return (
        StaffInvitation.objects.filter(user=user).select_related("organisation", "setting", "invited_by")
        .prefetch_related("roles", "groups").order_by("-created_at", "-id")
    )


def invitations_pending_count(user) -> int:
    return StaffInvitation.objects.filter(user=user, status="pending").count()
