"""Who may see the organisation's e-mails that did not go out, and send them again."""

# The capabilities as roles grant them (accounts.capabilities); this app imports no app above it.
MANAGES_EMAIL = ("staff.manage", "setup.manage")


def may_manage_deliveries(actor) -> bool:
    """People who add staff or set the organisation up: they can fix an address and try again."""
    return actor is not None and actor.is_member and any(actor.can(c) for c in MANAGES_EMAIL)
