"""Reads of staff, and of the settings and classes they work in, scoped to the acting user's organisation."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from keyworker.organisations.models import Group, Setting

from .access import Actor
from .models import GroupMembership, StaffInvitation, StaffMember, StaffRole


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


def staff_with_details(qs: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """Roles, class teams and current caseload size in a fixed number of queries."""
    return qs.select_related("user").prefetch_related(
        Prefetch("staff_roles", queryset=StaffRole.objects.select_related("role", "setting")),
        Prefetch("group_memberships", queryset=GroupMembership.objects.select_related("group")),
    ).annotate(caseload=_current_caseload())


def _current_caseload():
    """Current families per staff member as a correlated subquery (served by allocation_current_staff_idx):
    a join with GROUP BY would aggregate every allocation of the organisation before the page is cut."""
    from django.apps import apps

    allocation = apps.get_model("caseload", "KeyWorkerAllocation")
    current = allocation.objects.filter(staff=OuterRef("pk"), ends_at__isnull=True)
    return Coalesce(Subquery(current.order_by().values("staff").annotate(n=Count("id")).values("n")), 0)


def access_staff(actor: Actor, staff_id: int) -> StaffMember:
    staff = staff_with_details(staff_visible_to(actor)).filter(pk=staff_id).first()
    if staff is None:
        raise Http404("No such staff member")
    return staff


def invitations_for(user) -> QuerySet[StaffInvitation]:
    """A person's own invitations to join organisations; nobody else's."""
    return (
        StaffInvitation.objects.filter(user=user).select_related("organisation", "setting", "invited_by")
        .prefetch_related("roles", "groups").order_by("-created_at", "-id")
    )


def invitations_pending_count(user) -> int:
    return StaffInvitation.objects.filter(user=user, status="pending").count()
