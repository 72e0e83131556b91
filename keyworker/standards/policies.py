"""Who may edit the standards, waive an obligation and see a setting's figures: one place for the pages, services and
API.

Every staff member reads and acknowledges the standards; leaders (and who manages the set-up) edit them. A leader
of the obligation's setting waives it, and leaders see their settings' compliance and evidence.
"""

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import MANAGE_SETUP
from keyworker.accounts.policies import is_leader, require_leader

from .models import FINAL_STATES, Obligation


def can_edit_policies(actor: Actor | None) -> bool:
    """Leaders edit policies (set-up managers or leaders); every staff member reads and acknowledges them."""
    return actor is not None and actor.is_member and (actor.can(MANAGE_SETUP) or is_leader(actor))


def can_waive(actor: Actor, obligation: Obligation) -> bool:
    """Leads the obligation's setting, and the obligation is still open."""
    return is_leader(actor, obligation.setting_id) and obligation.state not in FINAL_STATES


def require_waive(actor: Actor, obligation: Obligation) -> None:
    """403 unless the actor leads the obligation's setting."""
    require_leader(actor, obligation.setting_id)


def require_setting_figures(actor: Actor, setting_id: int) -> None:
    """The setting's compliance and evidence pack: 403 unless the actor leads it."""
    require_leader(actor, setting_id)
