"""Who may read and write safeguarding records: one place for the pages, services and API.

The safeguarding team of a child's setting (organisation-wide members in every setting) reads and writes concerns and
chronologies; anyone in the organisation raises a concern; the person who recorded a restricted contact, or the
team, links it to a concern.
"""

from django.core.exceptions import PermissionDenied

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import SAFEGUARDING_TEAM


def is_team(actor: Actor, setting_id: int | None = None) -> bool:
    """On the safeguarding team of the setting (or of any setting, without one)."""
    return actor.is_member and actor.can(SAFEGUARDING_TEAM, setting_id)


def require_team(actor: Actor, setting_id: int) -> None:
    if not is_team(actor, setting_id):
        raise PermissionDenied("Only the safeguarding team can do this.")


def can_link_contact(actor: Actor, contact) -> bool:
    """A restricted contact is linked to a concern by whoever recorded it, or by the team of its setting."""
    return contact.author_id == actor.staff.pk or is_team(actor, contact.setting_id)
