"""Who may void a contact: one place for the pages, services and API.

A leader of the contact's setting voids a contact (one that is restricted also needs the safeguarding team, since
only the team reads it).
"""

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader, require_leader

from .models import ContactLog


def can_void(actor: Actor, contact: ContactLog) -> bool:
    return not contact.is_voided and is_leader(actor, contact.setting_id)


def require_void(actor: Actor, contact: ContactLog) -> None:
    """403 unless the actor leads the contact's setting."""
    require_leader(actor, contact.setting_id)
