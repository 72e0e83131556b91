"""Who may do what with the care app's records: one section per part, used by its pages, services and API alike."""

# Checklists (CC-K1, CC-K5), introductions (CC-M1) and chat sessions (CC-K6) ---------------------------------------
# Staff who edit children's key aspects in the child's setting (the key person, room staff, managers, the admin
# office) tick the enrolment and induction checklists; the setting's own items and who introduces themselves to new
# families are set by those who set the setting up (the manager, the admin office). The introduction is recorded by
# the role the setting names (the manager by default); any member of the setting may record a chat session.

from keyworker.accounts import capabilities as _caps  # noqa: E402
from keyworker.accounts.access import Actor as _Actor  # noqa: E402
from keyworker.accounts.models import Scope as _Scope  # noqa: E402


def checklists_can_tick(actor: _Actor, setting_id: int) -> bool:
    return actor.is_member and actor.can(_caps.EDIT_KEY_ASPECTS, setting_id)


def checklists_require_tick(actor: _Actor, setting_id: int) -> None:
    actor.require(_caps.EDIT_KEY_ASPECTS, setting_id)


def checklists_can_set_up(actor: _Actor, setting_id: int | None = None) -> bool:
    return actor.is_member and actor.can(_caps.MANAGE_SETUP, setting_id)


def checklists_require_set_up(actor: _Actor, setting_id: int) -> None:
    actor.require(_caps.MANAGE_SETUP, setting_id)


def introductions_role_codes(actor: _Actor, setting_id: int) -> set[str]:
    """The codes of the roles the actor holds in the setting (an organisation-wide role counts everywhere)."""
    return {r.role.code for r in actor.roles if r.setting_id == setting_id or r.role.scope == _Scope.ORGANISATION}


def introductions_can_record(actor: _Actor, setting_id: int, introducer_roles: tuple[str, ...]) -> bool:
    """The setting names who introduces themselves (`introducer_roles`, from its set-up): they record it."""
    return actor.is_member and bool(introductions_role_codes(actor, setting_id) & set(introducer_roles))


def chats_can_record(actor: _Actor, setting_id: int) -> bool:
    return actor.is_member and actor.can(_caps.VIEW_FAMILIES, setting_id)


def chats_require_record(actor: _Actor, setting_id: int) -> None:
    actor.require(_caps.VIEW_FAMILIES, setting_id)
