"""Who may set up the organisation (its settings, classes or rooms and term calendars): one place for the pages and
services."""

from .capabilities import MANAGE_SETUP


def can_manage_setup(actor) -> bool:
    return actor.can(MANAGE_SETUP)


def require_manage_setup(actor) -> None:
    actor.require(MANAGE_SETUP)
