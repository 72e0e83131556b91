"""Reads of staff, and of the settings and classes they work in, scoped to the acting user's organisation."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from keyworker.organisations.models import Group, Setting

from .access import Actor
from .capabilities import LEADS_SETTING, SAFEGUARDING_TEAM
from .models import Scope, StaffInvitation, StaffMember, StaffRole


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


def role_holders(
    organisation_id: int, *, codes: Iterable[str] | None = None, capability: str | None = None,
    setting_ids: Iterable[int] | None = None, organisation_wide: bool = True, active_users: bool = False,
) -> list[StaffRole]:
    """Who holds a role in the organisation, in one query: current staff's roles with one of `codes`, or granting
    `capability`, in `setting_ids` (None: every setting; organisation-wide roles count in every setting unless
    `organisation_wide` is off), with the role and the person's user, by name."""
    qs = StaffRole.objects.filter(organisation_id=organisation_id, staff__is_active=True)
    if active_users:
        qs = qs.filter(staff__user__is_active=True)
    if codes is not None:
        qs = qs.filter(role__code__in=list(codes))
    if capability is not None:
        # The capability list is JSON: a text match works on SQLite and PostgreSQL alike (no code contains another).
        qs = qs.filter(role__capabilities__icontains=capability)
    if setting_ids is not None:
        here = Q(setting_id__in=list(setting_ids))
        qs = qs.filter(here | Q(role__scope=Scope.ORGANISATION) if organisation_wide else here)
    rows = qs.select_related("role", "staff__user").order_by("staff__user__full_name", "id")
    return [r for r in rows if capability is None or capability in r.role.capabilities]


def holders_by_role(rows: Iterable[StaffRole]) -> tuple[dict[tuple[int | None, str], set[int]], dict[int, object]]:
    """Role holders' user ids by (setting id, or None for an organisation-wide role; role code), and their users."""
    holders: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    users: dict[int, object] = {}
    for sr in rows:
        holders[(None if sr.role.scope == Scope.ORGANISATION else sr.setting_id, sr.role.code)].add(sr.staff.user_id)
        users[sr.staff.user_id] = sr.staff.user
    return holders, users


def staff_holding(rows: Iterable[StaffRole]) -> list[StaffMember]:
    """The staff behind role holders, each once, in order."""
    staff: dict[int, StaffMember] = {}
    for r in rows:
        staff.setdefault(r.staff_id, r.staff)
    return list(staff.values())


def setting_leaders(organisation_id: int, setting_id: int) -> list[StaffMember]:
    """Current staff leading a setting (they lead it there or organisation-wide), each once, by name, in one query."""
    return staff_holding(role_holders(organisation_id, capability=LEADS_SETTING, setting_ids=[setting_id]))


def safeguarding_team(organisation_id: int, setting_id: int) -> list[StaffMember]:
    """The safeguarding team of a setting: its own team and organisation-wide members, each once, by name."""
    return staff_holding(role_holders(organisation_id, capability=SAFEGUARDING_TEAM, setting_ids=[setting_id]))
