"""Who may follow the data checks, confirm them and decide on corrections: one place for the pages, services and API.

A key worker records a carer's confirmation for their families; the admin office (who add and edit children, families
and carers) confirms the data and applies or rejects corrections, in the settings where it does so; the office and
leaders follow the progress.
"""

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader


def can_correct(actor: Actor, setting_id: int | None = None) -> bool:
    """The admin office of the setting (without one: of a setting somewhere)."""
    return actor.is_member and actor.can(caps.MANAGE_PEOPLE, setting_id)


def require_correct(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.MANAGE_PEOPLE, setting_id)


def oversees(actor: Actor) -> bool:
    """The admin office and leaders follow the progress of the data checks."""
    return can_correct(actor) or is_leader(actor)
