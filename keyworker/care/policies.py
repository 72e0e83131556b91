"""Who may do what with the care app's records: one section per part, used by its pages, services and API alike."""


# Learning journals ------------------------------------------------------------------------------------------------
# Staff who edit a child's key aspects in the child's setting (the key person, room staff, the manager) record
# observations, plan next steps and approve what families send; the author or a leader edits an observation; only a
# leader hides one, with a reason. Carers see their children's journal through the JOURNAL section of the portal.

from keyworker.accounts import capabilities as _caps  # noqa: E402
from keyworker.accounts.access import Actor as _Actor  # noqa: E402
from keyworker.accounts.policies import is_leader as _is_leader  # noqa: E402


def journal_can_record(actor: _Actor, setting_id: int | None = None) -> bool:
    return actor.is_member and actor.can(_caps.EDIT_KEY_ASPECTS, setting_id)


def journal_require_record(actor: _Actor, setting_id: int | None = None) -> None:
    actor.require(_caps.EDIT_KEY_ASPECTS, setting_id)


def journal_can_edit(actor: _Actor, observation) -> bool:
    """The author, or a leader of the setting; never a hidden observation."""
    if observation.hidden_at is not None or not journal_can_record(actor, observation.setting_id):
        return False
    staff = getattr(actor, "staff", None)
    return (staff is not None and observation.recorded_by_id == staff.pk) or _is_leader(actor, observation.setting_id)


def journal_can_hide(actor: _Actor, setting_id: int) -> bool:
    return _is_leader(actor, setting_id)


def journal_sees_hidden(actor: _Actor, setting_id: int) -> bool:
    """Leaders read a hidden observation (with why it was hidden); others see that it was hidden."""
    return _is_leader(actor, setting_id)
