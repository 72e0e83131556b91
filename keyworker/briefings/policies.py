"""Who may follow a class's briefings: one place for the pages and the API.

Every member of a class team reads its "What changed" and acknowledges the briefings sent to them; the leaders of
the class's setting see who has not yet read which briefing.
"""

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader, require_leader


def can_see_progress(actor: Actor, setting_id: int | None = None) -> bool:
    """Leads the setting (without one: a setting somewhere): sees who has read which briefing."""
    return is_leader(actor, setting_id)


def require_progress(actor: Actor, setting_id: int) -> None:
    require_leader(actor, setting_id)
