"""The acting user: their organisation, roles, scopes and capabilities. Every read is scoped through it.

`Actor` is built once per request in three queries (membership, roles, class teams). Deny by default:
a person sees what the widest scope among their roles allows, and nothing of another organisation.
Which families that is (their own caseload, a setting, a class) is the caseload app's rule: see
`keyworker.caseload.selectors.family_scope`, registered with `keyworker.people.scope`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet, Subquery

from keyworker.organisations.models import Organisation, Setting

from .models import SCOPE_RANK, KeyWorkerEligibility, Scope, StaffMember, StaffRole, User

SESSION_ORGANISATION_KEY = "organisation_id"
T = TypeVar("T")


@dataclass
class Actor:
    user: User
    staff: StaffMember | None
    roles: list[StaffRole] = field(default_factory=list)
    group_ids: frozenset[int] = frozenset()
    # Families a page of this request has just found in the actor's scope (its own read, e.g. access_family), so that
    # the service it calls next need not read the same scope again. Only pages add to it; it lives as long as the
    # request's actor.
    seen_family_ids: set[int] = field(default_factory=set, repr=False, compare=False)
    # What several parts of one read-only page need (the key worker's families and children, their settings' term
    # calendars), read once while the page asks for it (`with actor.reads_shared():`), e.g. My week's panels. Off
    # otherwise: after a write it would be stale.
    _shared: dict | None = field(default=None, repr=False, compare=False)

    @contextmanager
    def reads_shared(self) -> Iterator[None]:
        """While inside, `shared(key, read)` reads each key once; the reads are dropped on leaving."""
        outer = self._shared
        if outer is None:
            self._shared = {}
        try:
            yield
        finally:
            self._shared = outer

    def shared(self, key: Any, read: Callable[[], T]) -> T:
        """`read()`, once per key while the page reads shared (see reads_shared); every time otherwise."""
        if self._shared is None:
            return read()
        if key not in self._shared:
            self._shared[key] = read()
        return self._shared[key]

    @property
    def organisation(self) -> Organisation | None:
        return self.staff.organisation if self.staff else None

    @property
    def organisation_id(self) -> int | None:
        return self.staff.organisation_id if self.staff else None

    @property
    def is_member(self) -> bool:
        return self.staff is not None

    @cached_property
    def setting_ids(self) -> frozenset[int]:
        """Settings the person holds a role in."""
        return frozenset(r.setting_id for r in self.roles)

    @cached_property
    def _org_wide_caps(self) -> frozenset[str]:
        caps: set[str] = set()
        for r in self.roles:
            if r.role.scope == Scope.ORGANISATION:
                caps.update(r.role.capabilities)
        return frozenset(caps)

    def capabilities(self, setting_id: int | None = None) -> frozenset[str]:
        """Capabilities in one setting (org-wide roles count everywhere), or anywhere when setting_id is None."""
        caps = set(self._org_wide_caps)
        for r in self.roles:
            if setting_id is None or r.setting_id == setting_id:
                caps.update(r.role.capabilities)
        return frozenset(caps)

    def can(self, capability: str, setting_id: int | None = None) -> bool:
        return capability in self.capabilities(setting_id)

    def require(self, capability: str, setting_id: int | None = None) -> None:
        if not self.can(capability, setting_id):
            raise PermissionDenied("You do not have permission to do this.")

    def scope_in(self, setting_id: int) -> str | None:
        best = None
        for r in self.roles:
            if r.role.scope == Scope.ORGANISATION or r.setting_id == setting_id:
                if best is None or SCOPE_RANK[Scope(r.role.scope)] > SCOPE_RANK[Scope(best)]:
                    best = r.role.scope
        return best

    @cached_property
    def has_organisation_scope(self) -> bool:
        return any(r.role.scope == Scope.ORGANISATION for r in self.roles)

    @cached_property
    def settings_with_scope(self) -> frozenset[int]:
        return frozenset(r.setting_id for r in self.roles if r.role.scope == Scope.SETTING)

    @cached_property
    def is_key_worker(self) -> bool:
        return any(r.role.key_worker_eligibility != KeyWorkerEligibility.NONE for r in self.roles)

    @cached_property
    def is_leader(self) -> bool:
        from .capabilities import LEADS_SETTING

        return self.can(LEADS_SETTING)

    def settings(self) -> QuerySet[Setting]:
        """Settings this person works in (all of the organisation's for org-wide roles)."""
        if not self.staff:
            return Setting.objects.none()
        qs = Setting.objects.filter(organisation_id=self.organisation_id)
        if not self.has_organisation_scope:
            qs = qs.filter(id__in=self.setting_ids)
        return qs


ANONYMOUS = None


def actor_for(user: User, organisation_id: int | None = None) -> Actor:
    """Build the actor for a signed-in user in one of their organisations (the first, if none chosen)."""
    if not user or not user.is_authenticated:
        return Actor(user=user, staff=None)
    staff, roles = _membership_with_roles(user, organisation_id)
    if staff is not None:
        group_ids = frozenset(staff.group_memberships.values_list("group_id", flat=True))
        return Actor(user=user, staff=staff, roles=roles, group_ids=group_ids)
    memberships = StaffMember.objects.select_related("organisation", "user").filter(user=user, is_active=True)
    staff = None
    if organisation_id is not None:
        staff = memberships.filter(organisation_id=organisation_id).first()
    if staff is None:
        staff = memberships.order_by("organisation__name", "id").first()
    if staff is None:
        return Actor(user=user, staff=None)
    roles = list(StaffRole.objects.select_related("role", "setting").filter(staff=staff))
    group_ids = frozenset(staff.group_memberships.values_list("group_id", flat=True))
    return Actor(user=user, staff=staff, roles=roles, group_ids=group_ids)


def _membership_with_roles(user: User, organisation_id: int | None) -> tuple[StaffMember | None, list[StaffRole]]:
    """The membership and its roles in one query, read from the roles (each with its membership and organisation),
    when the answer is certain: the person's only active membership, or the chosen organisation's. Otherwise (no role
    yet, or several organisations and none chosen) (None, []), and actor_for asks as before."""
    count = (StaffMember.objects.filter(user_id=user.pk, is_active=True).order_by().values("user_id")
             .annotate(n=Count("id")).values("n"))
    rows = list(StaffRole.objects.select_related("role", "setting", "staff__organisation", "staff__user")
                .filter(staff__user_id=user.pk, staff__is_active=True).annotate(memberships=Subquery(count)))
    if not rows:
        return None, []
    if rows[0].memberships == 1:
        chosen = rows
    elif organisation_id is not None:
        chosen = [r for r in rows if r.staff.organisation_id == organisation_id]
    else:
        chosen = []
    if not chosen:
        return None, []
    staff = chosen[0].staff
    for r in chosen:
        r.staff = staff  # one membership object, as the roles of an actor share it
    return staff, chosen
