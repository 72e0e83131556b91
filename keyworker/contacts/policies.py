"""Who may void or flag a contact: one place for the pages, services and API.

A leader of the contact's setting voids a contact (one that is restricted also needs the safeguarding team, since
only the team reads it).
"""

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import SAFEGUARDING_TEAM
from keyworker.accounts.policies import is_leader, require_leader
from keyworker.people.selectors import families_visible_to

from .models import ContactLog


def can_void(actor: Actor, contact: ContactLog) -> bool:
    return not contact.is_voided and is_leader(actor, contact.setting_id)


def require_void(actor: Actor, contact: ContactLog) -> None:
    """403 unless the actor leads the contact's setting."""
    require_leader(actor, contact.setting_id)


def may_flag(actor: Actor, contact: ContactLog) -> bool:
    """Its author or the setting's safeguarding team flags a contact; a carer's own portal message has no author, so
    anyone who may reply to the family (who may log contacts for it) may flag it, exactly as its author would."""
    if not actor.is_member or actor.staff is None:
        return False
    if actor.staff.pk == contact.author_id or actor.can(SAFEGUARDING_TEAM, contact.setting_id):
        return True
    return contact.author_id is None and families_visible_to(actor).filter(pk=contact.family_id).exists()
