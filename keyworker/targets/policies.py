"""Who may do what with learning targets and homework: one place for the pages, services and API.

- The class team (the teacher and teaching assistants of the child's class) and the setting's leaders set, edit and
  review a child's targets and set homework for the class or one of its children, and mark returns with feedback.
- Sharing the targets with the family is also the family's key worker's to record (they support the family with
  them, SCH-8), as is anyone on the class team or a leader.
- Reading: anyone who may see the child (keyworker.people.selectors); outside that the record does not exist (404).
"""

from django.core.exceptions import PermissionDenied

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader, led_setting_ids
from keyworker.caseload.selectors import current_allocations

REFUSED = "Only the class team and leaders can do this."


def on_class_team(actor: Actor, group_id: int | None, setting_id: int) -> bool:
    """The actor is on the team of this class, or leads its setting."""
    if not actor.is_member:
        return False
    return (group_id is not None and group_id in actor.group_ids) or is_leader(actor, setting_id)


def can_set_targets(actor: Actor, child) -> bool:
    return on_class_team(actor, child.group_id, child.setting_id)


def require_set_targets(actor: Actor, child) -> None:
    if not can_set_targets(actor, child):
        raise PermissionDenied(REFUSED)


def is_key_worker_of(actor: Actor, family_id: int) -> bool:
    return actor.is_member and current_allocations().filter(family_id=family_id, staff=actor.staff).exists()


def can_share(actor: Actor, child) -> bool:
    return can_set_targets(actor, child) or is_key_worker_of(actor, child.family_id)


def require_share(actor: Actor, child) -> None:
    if not can_share(actor, child):
        raise PermissionDenied("Only the class team, leaders and the family's key worker can record this.")


def can_set_homework(actor: Actor, group) -> bool:
    return on_class_team(actor, group.pk, group.setting_id)


def require_set_homework(actor: Actor, group) -> None:
    if not can_set_homework(actor, group):
        raise PermissionDenied(REFUSED)


def can_mark_homework(actor: Actor, homework) -> bool:
    """Mark returns and give feedback: the team of the class it was set for (or of the child's class)."""
    if homework.group_id is not None:
        return on_class_team(actor, homework.group_id, homework.setting_id)
    return on_class_team(actor, homework.child.group_id, homework.setting_id)


def require_mark_homework(actor: Actor, homework) -> None:
    if not can_mark_homework(actor, homework):
        raise PermissionDenied(REFUSED)


def leads_settings(actor: Actor) -> frozenset[int] | None:
    """The settings the actor leads (None: all of the organisation's)."""
    return led_setting_ids(actor)
