"""Who may do what with the care app's records: one section per part, used by its pages, services and API alike."""


# Monitoring ---------------------------------------------------------------------------------------------------------
# The manager's monitoring of journals and care plans (CC-M3): the leaders of a childcare setting (its manager,
# assistant manager, organisation-wide leaders) see its monitoring view and run its quality samples; nobody else
# finds them (404). A finding is acknowledged by the key person it was sent to, and by nobody else.

from keyworker.accounts.access import Actor  # noqa: E402
from keyworker.accounts.policies import is_leader, led_setting_ids  # noqa: E402

# The kinds of setting whose journals and care plans a manager monitors (the childcare template's CC-M3).
MONITORED_KINDS = ("early_years", "out_of_school_care", "youth")


def can_monitor(actor: Actor, setting_id: int) -> bool:
    return actor.is_member and is_leader(actor, setting_id)


def monitored_setting_ids(actor: Actor) -> frozenset[int] | None:
    """The settings whose monitoring the actor sees: None for all of the organisation's."""
    return led_setting_ids(actor)


def may_acknowledge(actor: Actor, finding) -> bool:
    return actor.is_member and actor.staff is not None and finding.staff_id == actor.staff.pk
