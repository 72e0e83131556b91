"""Who may take a class register, change marks, read the attendance lists and close an attendance concern: one place
for every page, service and the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader, led_setting_ids
from keyworker.organisations.models import Group
from keyworker.people.models import Child

# Leaders and the office record and correct marks for the whole setting; a class team for its own class.
REGISTER_CAPABILITIES = (caps.MANAGE_PEOPLE, caps.LEADS_SETTING, caps.RUN_IMPORTS)
# The office keeps the register straight: unexplained absences to replace, imports.
OFFICE_CAPABILITIES = (caps.MANAGE_PEOPLE, caps.LEADS_SETTING)


def member(actor: Actor) -> Actor:
    if not actor.is_member:
        raise Http404
    return actor


def is_setting_wide(actor: Actor, setting_id: int) -> bool:
    return any(actor.can(cap, setting_id) for cap in REGISTER_CAPABILITIES)


def can_take_register(actor: Actor, group: Group) -> bool:
    return group.pk in actor.group_ids or is_setting_wide(actor, group.setting_id)


def can_record_for(actor: Actor, child: Child) -> bool:
    return (child.group_id is not None and child.group_id in actor.group_ids) or is_setting_wide(actor, child.setting_id)


def is_office(actor: Actor) -> bool:
    return any(actor.can(cap) for cap in OFFICE_CAPABILITIES)


def access_group(actor: Actor, group_id: int) -> Group:
    """A class of the actor's organisation (else 404) whose register the actor may take (else 403)."""
    member(actor)
    group = Group.objects.select_related("setting").filter(pk=group_id, organisation_id=actor.organisation_id).first()
    if group is None:
        raise Http404("No such class")
    if not can_take_register(actor, group):
        raise PermissionDenied("Only the class team, leaders and the office can see this class's register.")
    return group


def groups_for_register(actor: Actor) -> list[Group]:
    """The classes whose register the actor may take, in one query."""
    if not actor.is_member:
        return []
    qs = Group.objects.select_related("setting").filter(organisation_id=actor.organisation_id).order_by("setting__name", "name")
    return [g for g in qs if can_take_register(actor, g)]


def require_office(actor: Actor) -> None:
    member(actor)
    if not is_office(actor):
        raise PermissionDenied("Only leaders and the office can see this list.")


def leader_setting_ids(actor: Actor) -> set[int]:
    """The settings whose attendance concerns the actor sees as a leader."""
    if not actor.is_member:
        return set()
    led = led_setting_ids(actor)
    return {pk for pk in actor.settings().values_list("pk", flat=True) if led is None or pk in led}


def can_close(actor: Actor, concern) -> bool:
    """Leaders of the child's setting close an attendance concern."""
    return is_leader(actor, concern.setting_id)
