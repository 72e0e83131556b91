"""Who may review enrolment forms and follow them: one place for the pages, services and API.

Staff who edit a child's key aspects in the child's setting (the key person, room staff, the manager, the admin
office) accept a form into the key aspects or ask for changes; leaders and the admin office see every form of
their settings in the list; everyone else sees the forms of the families they may see.
"""

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader


def can_review(actor: Actor, setting_id: int | None = None) -> bool:
    return actor.is_member and actor.can(caps.EDIT_KEY_ASPECTS, setting_id)


def require_review(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.EDIT_KEY_ASPECTS, setting_id)


def oversees(actor: Actor) -> bool:
    return actor.is_member and (is_leader(actor) or actor.can(caps.MANAGE_PEOPLE))
