"""Who may do what with transition plans (SCH-10): one place for the pages, services and API.

Every member of staff who sees a family sees its leaving pupil's plan. Staff who edit the child's key aspects in the
child's school (the class team and key worker, leaders, the admin office) plan the transition, add visits, share the
dates and write up the visits. Leaders see the whole Year 6 cohort of the schools they lead; others see the leaving
pupils of the families they may see.
"""

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader


def can_view(actor: Actor) -> bool:
    return actor.is_member and actor.can(caps.VIEW_FAMILIES)


def require_view(actor: Actor) -> None:
    actor.require(caps.VIEW_FAMILIES)


def can_edit(actor: Actor, setting_id: int | None = None) -> bool:
    return actor.is_member and actor.can(caps.EDIT_KEY_ASPECTS, setting_id)


def require_edit(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.EDIT_KEY_ASPECTS, setting_id)


def leads(actor: Actor) -> bool:
    return is_leader(actor)
