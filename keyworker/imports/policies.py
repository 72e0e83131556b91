"""Who may run an import from the management information system: one place for the pages and services."""

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.people.policies import can_export_transfer_file


def can_run_imports(actor: Actor, setting_id: int | None = None) -> bool:
    return actor.can(caps.RUN_IMPORTS, setting_id)


def require_run_imports(actor: Actor, setting_id: int | None = None) -> None:
    actor.require(caps.RUN_IMPORTS, setting_id)


def can_export_ctf(actor: Actor, setting_id: int | None = None) -> bool:
    """A leaving child's common transfer file: answered by the people app, whose child page offers it."""
    return can_export_transfer_file(actor, setting_id)


# The nightly sync's saved mappings: whoever runs imports (the admin office and leaders) saves, renames and deletes them.
can_manage_saved_mappings = can_run_imports
