"""Who may see the wellbeing board and close a concern: one place for the pages, services and API.

A concern is seen by the leaders of its setting, the family's current key worker and the person who raised it; the
leaders and the key worker close it. The board is for leaders, of the settings they lead.
"""

from django.core.exceptions import PermissionDenied

from keyworker.accounts.access import Actor
from keyworker.accounts.policies import is_leader, led_setting_ids
from keyworker.caseload.models import KeyWorkerAllocation

from .models import WellbeingConcern

CLOSE_REFUSED = "Only the leadership team or the family's key worker can close a wellbeing concern."


def leader_setting_ids(actor: Actor) -> frozenset[int] | None:
    """The settings whose concerns the actor sees as a leader: None for all of the organisation's."""
    return led_setting_ids(actor)


def is_key_worker_of(actor: Actor, family_id: int) -> bool:
    return actor.is_member and KeyWorkerAllocation.objects.filter(staff=actor.staff, family_id=family_id, ends_at__isnull=True).exists()


def can_close(actor: Actor, concern: WellbeingConcern) -> bool:
    """Leaders of the setting and the family's current key worker close a concern with its outcome."""
    return is_leader(actor, concern.setting_id) or is_key_worker_of(actor, concern.family_id)


def require_close(actor: Actor, concern: WellbeingConcern) -> None:
    if not can_close(actor, concern):
        raise PermissionDenied(CLOSE_REFUSED)


def writes_as_leader(actor: Actor, concern: WellbeingConcern) -> bool:
    """A follow-up recorded by a leader of the concern's setting (shown as such on the concern)."""
    return is_leader(actor, concern.setting_id)


def board_settings(actor: Actor) -> list:
    """The settings whose board the actor sees, by name."""
    led = leader_setting_ids(actor)
    return [s for s in actor.settings().order_by("name", "id") if led is None or s.pk in led]
