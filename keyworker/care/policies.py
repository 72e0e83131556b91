"""Who may do what with the care app's records: one section per part, used by its pages, services and API alike."""

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor

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
