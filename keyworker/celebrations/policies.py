"""Who may void a celebration and see the setting's positivity figures: one place for the pages, services and API.

Everyone who sees a family records and shares its celebrations; a leader of the child's setting voids one, and
leaders see their settings' figures and other staff members' positivity.
"""

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader, led_settings, require_leader

from .models import Celebration


def can_void(actor: Actor, celebration: Celebration) -> bool:
    return not celebration.is_voided and is_leader(actor, celebration.setting_id)


def require_void(actor: Actor, celebration: Celebration) -> None:
    """403 unless the actor leads the celebration's setting."""
    require_leader(actor, celebration.setting_id)


def can_see_positivity(actor: Actor) -> bool:
    """Leads a setting somewhere: sees the positivity figures (of their settings) and other staff members' own."""
    return is_leader(actor)


def require_positivity(actor: Actor, setting_id: int | None = None) -> None:
    """403 unless the actor may see the positivity figures of the setting (without one: of a setting somewhere)."""
    require_leader(actor, setting_id)


def positivity_settings(actor: Actor) -> list:
    """The settings whose positivity figures the actor sees, by name."""
    return led_settings(actor)
