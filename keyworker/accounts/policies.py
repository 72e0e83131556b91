"""Who may change roles and give people roles. Pages, services and the API all ask here.

Two rules:

1. Nobody grants what they do not hold. A capability can be added to a role, and a role given to a person,
   only by someone who holds every capability concerned themselves (in that setting, or organisation-wide),
   with at least as wide a scope.
2. Leaders' and safeguarding roles are the owner's to give. A *restricted* role is one that holds
   `allocations.manage`, `staff.manage` or `safeguarding.team`, or sees the whole organisation; only the
   organisation's *owner* creates, changes, gives or takes away a restricted role (or changes the roles of a
   person who holds one).

The owner is whoever holds all of `staff.manage`, `allocations.manage` and `safeguarding.team` where the
change applies: with the default roles, the headteacher and deputy headteacher of a school (organisation-wide)
and the manager of a childcare setting (in their setting). The admin office adds and edits staff but is not
an owner: it holds no safeguarding capability, so it can never give one, nor widen its own role.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from keyworker.core.errors import RuleViolation

from . import capabilities as caps
from .access import Actor
from .models import SCOPE_RANK, Role, Scope, StaffMember, StaffRole

# Capabilities that make a role a leader's or a safeguarding role.
RESTRICTED_CAPABILITIES = frozenset({caps.LEADS_SETTING, caps.MANAGE_STAFF, caps.SAFEGUARDING_TEAM})
# Capabilities that together make someone the owner.
OWNER_CAPABILITIES = frozenset({caps.MANAGE_STAFF, caps.MANAGE_ALLOCATIONS, caps.SAFEGUARDING_TEAM})

OWNER_ONLY = "Only the headteacher or manager (who holds staff, allocation and safeguarding rights) may give or change this."
NOT_HELD = "You do not hold this yourself, so you may not give it."


class Refused(RuleViolation):
    """A change refused by these rules, with a message per field."""

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(" ".join(messages), rule="policy", field=field)
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return dict(self.errors)


def is_restricted(capabilities: Iterable[str], scope: str) -> bool:
    """A leader's or safeguarding role: manages allocations or staff, is on the safeguarding team, or sees everything."""
    return scope == Scope.ORGANISATION or bool(set(capabilities) & RESTRICTED_CAPABILITIES)


def role_is_restricted(role: Role) -> bool:
    return is_restricted(role.capabilities, role.scope)


def reads_restricted_records(capabilities: Iterable[str]) -> bool:
    return caps.SAFEGUARDING_TEAM in set(capabilities)


def is_owner(actor: Actor, setting_id: int | None = None) -> bool:
    """Holds staff, allocation and safeguarding rights in the setting (anywhere, for organisation-wide roles)."""
    return actor.is_member and OWNER_CAPABILITIES <= actor.capabilities(setting_id)


def owns_roles(actor: Actor) -> bool:
    """Roles belong to the whole organisation: changing a restricted one needs the owner's rights organisation-wide."""
    org_caps = set()
    for r in actor.roles:
        if r.role.scope == Scope.ORGANISATION:
            org_caps.update(r.role.capabilities)
    if OWNER_CAPABILITIES <= org_caps:
        return True
    # A childcare group usually has no organisation-wide leader: a manager of every setting will do.
    setting_ids = set(actor.settings().values_list("id", flat=True))
    return bool(setting_ids) and all(is_owner(actor, sid) for sid in setting_ids)


def capability_refusal(actor: Actor, capability: str, *, role: Role | None = None) -> str | None:
    """Why `actor` may not switch this capability on or off in a role, in a few words (None: they may)."""
    if capability not in actor.capabilities():
        return "you do not hold this yourself"
    if capability in RESTRICTED_CAPABILITIES and not owns_roles(actor):
        return "only the headteacher or manager gives this"
    if role is not None and role_is_restricted(role) and not owns_roles(actor):
        return "a leader's role: only the headteacher or manager changes it"
    return None


def role_edit_refusals(
    actor: Actor, role: Role, *, scope: str, capabilities: Iterable[str], changes_other_fields: bool = False,
) -> dict[str, list[str]]:
    """Per field, why this change of `role` is refused; empty when it is allowed."""
    errors: dict[str, list[str]] = {}
    before, after = set(role.capabilities), set(capabilities)
    owner = owns_roles(actor)
    for cap in sorted(after ^ before):
        name = caps.ALL.get(cap, cap)
        if cap in after and cap not in actor.capabilities():
            errors.setdefault("capabilities", []).append(f"{name}: {NOT_HELD}")
        elif (cap in RESTRICTED_CAPABILITIES or role_is_restricted(role)) and not owner:
            errors.setdefault("capabilities", []).append(f"{name}: {OWNER_ONLY}")
    if scope != role.scope:
        if not owner and (scope == Scope.ORGANISATION or role_is_restricted(role)):
            errors.setdefault("scope", []).append(OWNER_ONLY)
        elif SCOPE_RANK[Scope(scope)] > _widest_scope_rank(actor):
            errors.setdefault("scope", []).append("This is wider than you see yourself, so you may not give it.")
    if changes_other_fields and role_is_restricted(role) and not owner and not errors:
        errors.setdefault("name", []).append(f"{role.name} is a leader's or safeguarding role. {OWNER_ONLY}")
    return errors


def _widest_scope_rank(actor: Actor, setting_id: int | None = None) -> int:
    ranks = [SCOPE_RANK[Scope(r.role.scope)] for r in actor.roles
             if setting_id is None or r.role.scope == Scope.ORGANISATION or r.setting_id == setting_id]
    return max(ranks, default=-1)


def _grant_reason(actor: Actor, role: Role, setting_id: int) -> str | None:
    missing = set(role.capabilities) - actor.capabilities(setting_id)
    if missing:
        return f"gives what you do not hold: {', '.join(caps.ALL.get(c, c).lower() for c in sorted(missing))}"
    if SCOPE_RANK[Scope(role.scope)] > _widest_scope_rank(actor, setting_id):
        return "sees more families than you do"
    if role_is_restricted(role) and not is_owner(actor, setting_id):
        return "a leader's or safeguarding role: only the headteacher or manager gives it"
    return None


def role_grant_refusal(actor: Actor, role: Role, setting_id: int) -> str | None:
    """Why `actor` may not give (or take away) `role` in a setting (None: they may)."""
    why = _grant_reason(actor, role, setting_id)
    if why is None:
        return None
    return f"You may not give {role.name}: it {'is ' if why.startswith('a ') else ''}{why}."


def staff_roles_refusals(
    actor: Actor, *, setting_id: int, roles: Iterable[Role], staff: StaffMember | None = None,
) -> dict[str, list[str]]:
    """Per field, why giving `roles` in a setting (to a new person, or instead of `staff`'s current ones) is refused."""
    wanted = {r.pk: r for r in roles}
    current: dict[int, Role] = {}
    if staff is not None and staff.pk:
        current = {sr.role_id: sr.role for sr in StaffRole.objects.filter(staff=staff, setting_id=setting_id).select_related("role")}
    errors: list[str] = []
    for pk in sorted(set(wanted) ^ set(current)):
        role = wanted.get(pk) or current[pk]
        why = role_grant_refusal(actor, role, setting_id)
        if why:
            errors.append(why if pk in wanted else why.replace("may not give", "may not take away"))
    if not errors and staff is not None and set(wanted) != set(current) and holds_restricted_role(staff) \
            and not is_owner(actor, setting_id):
        errors.append(f"{staff} holds a leader's or safeguarding role. {OWNER_ONLY}")
    return {"roles": errors} if errors else {}


def holds_restricted_role(staff: StaffMember) -> bool:
    return any(role_is_restricted(sr.role) for sr in StaffRole.objects.filter(staff=staff).select_related("role"))


def roles_refused(actor: Actor, roles: Iterable[Role], setting_id: int | None) -> dict[int, str]:
    """Roles `actor` may not give, with why in a few words, for forms to show them switched off.

    Without a setting chosen yet: those refused in every setting the actor works in.
    """
    setting_ids = [setting_id] if setting_id is not None else list(actor.settings().values_list("id", flat=True))
    refused: dict[int, str] = {}
    for role in roles:
        whys = [_grant_reason(actor, role, sid) for sid in setting_ids]
        if not whys or all(whys):
            refused[role.pk] = (whys[0] if whys else "you work in no setting here")
    return refused


def may_change_identity(staff: StaffMember) -> bool:
    """Whether a staff edit may change this person's name: not when they also work for another organisation."""
    return not StaffMember.objects.filter(user_id=staff.user_id).exclude(organisation_id=staff.organisation_id).exists()


def can_search_audit(actor: Actor) -> bool:
    """Leaders who manage staff across the organisation, and the data protection officer."""
    if not actor.is_member:
        return False
    return actor.can(caps.AUDIT_EXPORT) or (actor.has_organisation_scope and actor.can(caps.MANAGE_STAFF))


def can_export_audit(actor: Actor) -> bool:
    """The data protection officer (the audit.export capability; headteachers and managers by default)."""
    return actor.is_member and actor.can(caps.AUDIT_EXPORT)


def can_export_organisation(actor: Actor) -> bool:
    """The whole organisation in one archive (every record, safeguarding's included, and every sign-in): the data
    protection officer across the whole organisation, never one setting's."""
    return actor.is_member and actor.has_organisation_scope and actor.can(caps.AUDIT_EXPORT)


def require_export_organisation(actor: Actor) -> None:
    if not can_export_organisation(actor):
        raise PermissionDenied("Only the data protection officer of the whole organisation exports it.")


# Leading a setting ----------------------------------------------------------------------------------------------
# A leader of a setting is who allocates its key workers there (or organisation-wide). The apps ask these, not the
# allocation capability, whenever they mean "a leader": the setting's figures, closing and voiding, the leaders' lists.


def is_leader(actor: Actor, setting_id: int | None = None) -> bool:
    """Leads the setting (without one: leads a setting somewhere)."""
    return actor.is_member and actor.can(caps.LEADS_SETTING, setting_id)


def require_leader(actor: Actor, setting_id: int | None = None) -> None:
    """403 unless the actor leads the setting (without one: a setting somewhere)."""
    actor.require(caps.LEADS_SETTING, setting_id)


def led_setting_ids(actor: Actor) -> frozenset[int] | None:
    """The settings the actor leads: None for all of the organisation's (an organisation-wide leader's role)."""
    return setting_ids_with(actor, caps.LEADS_SETTING)


def led_settings(actor: Actor) -> list:
    """The settings the actor leads, by name."""
    return settings_with(actor, caps.LEADS_SETTING)


# Where a capability is held ---------------------------------------------------------------------------------------


def setting_ids_with(actor: Actor, capability: str) -> frozenset[int] | None:
    """The settings where the actor holds a capability: None for all of the organisation's (an organisation-wide role)."""
    if not actor.is_member:
        return frozenset()
    if any(r.role.scope == Scope.ORGANISATION and capability in r.role.capabilities for r in actor.roles):
        return None
    return frozenset(r.setting_id for r in actor.roles if capability in r.role.capabilities)


def settings_with(actor: Actor, capability: str) -> list:
    """The settings where the actor holds a capability, by name."""
    if not actor.is_member:
        return []
    return [s for s in actor.settings().order_by("name", "id") if actor.can(capability, s.pk)]


def may_change_staff_photo(actor: Actor, staff: StaffMember) -> bool:
    """Your own photo; or, for a leader who manages staff, the photo of anyone of the same organisation."""
    if not actor.is_member or staff.organisation_id != actor.organisation_id:
        return False
    return staff.pk == actor.staff.pk or actor.can(caps.MANAGE_STAFF)
