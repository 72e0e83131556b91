"""Who may add and edit children, families and carers, and who may edit a child's key aspects: one place for the
pages, services and API."""

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor


def can_manage_people(actor: Actor, setting_id: int | None = None) -> bool:
    """Add and edit children, families and carers (in the setting; without one: in a setting somewhere)."""
    return actor.can(caps.MANAGE_PEOPLE, setting_id)


def require_manage_people(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.MANAGE_PEOPLE, setting_id)


def can_edit_key_aspects(actor: Actor, setting_id: int | None = None) -> bool:
    return actor.can(caps.EDIT_KEY_ASPECTS, setting_id)


def require_edit_key_aspects(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.EDIT_KEY_ASPECTS, setting_id)


# Data protection: subject access packs and erasure on request are the data protection officer's (`audit.export`:
# headteachers and managers by default).
def can_handle_data_rights(actor: Actor) -> bool:
    return actor.can(caps.AUDIT_EXPORT)


def require_handle_data_rights(actor: Actor) -> None:
    actor.require(caps.AUDIT_EXPORT)
def can_export_transfer_file(actor: Actor, setting_id: int | None = None) -> bool:
    """Take a leaving child's common transfer file: the office and leaders, who also import them."""
    return actor.is_member and actor.can(caps.RUN_IMPORTS, setting_id)
