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


from keyworker.accounts import capabilities as caps  # noqa: E402

# Care plans
# Staff who may see a child (their key person, the room team, the setting's managers) read the child's plan and
# record a review: any staff member of the setting the child chooses may do the review (CC-C1), and the one who
# records it names them. Writing a new version of the plan asks for the right to edit the child's key aspects in
# the child's setting. Carers with full access (parental responsibility, no restriction) read the current plan and
# comment in the portal; carers with limited access do not see it (keyworker.people.carer_access.CARE_PLAN).

def care_plan_can_edit(actor: Actor, setting_id: int) -> bool:
    return actor.is_member and actor.can(caps.EDIT_KEY_ASPECTS, setting_id)


def care_plan_require_edit(actor: Actor, setting_id: int) -> None:
    actor.require(caps.EDIT_KEY_ASPECTS, setting_id)


def care_plan_can_review(actor: Actor, setting_id: int) -> bool:
    return actor.is_member and actor.can(caps.VIEW_FAMILIES, setting_id)


def care_plan_require_review(actor: Actor, setting_id: int) -> None:
    actor.require(caps.VIEW_FAMILIES, setting_id)


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


# Checklists (CC-K1, CC-K5), introductions (CC-M1) and chat sessions (CC-K6) ---------------------------------------
# Staff who edit children's key aspects in the child's setting (the key person, room staff, managers, the admin
# office) tick the enrolment and induction checklists; the setting's own items and who introduces themselves to new
# families are set by those who set the setting up (the manager, the admin office). The introduction is recorded by
# the role the setting names (the manager by default); any member of the setting may record a chat session.

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
