"""Capabilities that roles grant, and the default roles drawn from the two source policies."""

from keyworker.organisations.capabilities import MANAGE_SETUP

from .models import KeyWorkerEligibility as KW
from .models import Scope

VIEW_FAMILIES = "families.view"
MANAGE_ALLOCATIONS = "allocations.manage"
MANAGE_PEOPLE = "people.manage"
EDIT_KEY_ASPECTS = "key_aspects.edit"
MANAGE_STAFF = "staff.manage"
RUN_IMPORTS = "imports.run"
SAFEGUARDING_TEAM = "safeguarding.team"
AUDIT_EXPORT = "audit.export"  # the data protection officer: searches and exports the whole audit log

# Who leads a setting: those who allocate its key workers. Leading is what most leaders' pages ask for (the
# setting's figures, closing and voiding records, waiving, the leaders' lists), so it has its own name; the policy
# functions in `accounts.policies` (`is_leader`, `led_setting_ids`…) answer it.
LEADS_SETTING = MANAGE_ALLOCATIONS

ALL = {
    VIEW_FAMILIES: "See families in scope",
    MANAGE_ALLOCATIONS: "Allocate and reassign key workers",
    MANAGE_PEOPLE: "Add and edit children, families and carers",
    EDIT_KEY_ASPECTS: "Edit children's key aspects",
    MANAGE_STAFF: "Add staff and change their roles",
    MANAGE_SETUP: "Set up settings, classes or rooms and the term calendar",
    RUN_IMPORTS: "Import from the management information system",
    SAFEGUARDING_TEAM: "Member of the safeguarding team",
    AUDIT_EXPORT: "Data protection officer: search and export the audit log",
}

_LEAD = [VIEW_FAMILIES, MANAGE_ALLOCATIONS, MANAGE_PEOPLE, EDIT_KEY_ASPECTS, MANAGE_STAFF, MANAGE_SETUP, RUN_IMPORTS]

# (code, name, scope, capabilities, key worker eligibility, for schools, for childcare)
DEFAULT_ROLES: list[tuple[str, str, str, list[str], str, bool, bool]] = [
    ("headteacher", "Headteacher", Scope.ORGANISATION, [*_LEAD, SAFEGUARDING_TEAM, AUDIT_EXPORT], KW.NONE, True, False),
    ("deputy_headteacher", "Deputy headteacher", Scope.ORGANISATION, [*_LEAD, SAFEGUARDING_TEAM], KW.NONE, True, False),
    ("leadership_team", "Leadership team", Scope.SETTING, [VIEW_FAMILIES, MANAGE_ALLOCATIONS, EDIT_KEY_ASPECTS], KW.NONE, True, False),
    ("safeguarding_lead", "Designated safeguarding lead", Scope.SETTING, [VIEW_FAMILIES, EDIT_KEY_ASPECTS, SAFEGUARDING_TEAM], KW.NONE, True, True),
    ("safeguarding_deputy", "Deputy safeguarding lead", Scope.SETTING, [VIEW_FAMILIES, EDIT_KEY_ASPECTS, SAFEGUARDING_TEAM], KW.NONE, True, True),
    ("teacher", "Teacher", Scope.OWN_GROUP, [VIEW_FAMILIES, EDIT_KEY_ASPECTS], KW.TEACHER, True, False),
    ("teaching_assistant", "Teaching assistant", Scope.OWN_GROUP, [VIEW_FAMILIES, EDIT_KEY_ASPECTS], KW.ASSISTANT, True, False),
    ("admin_office", "Admin office", Scope.ORGANISATION, [VIEW_FAMILIES, MANAGE_PEOPLE, EDIT_KEY_ASPECTS, MANAGE_STAFF, MANAGE_SETUP, RUN_IMPORTS], KW.NONE, True, True),
    ("manager", "Manager", Scope.SETTING, [*_LEAD, SAFEGUARDING_TEAM, AUDIT_EXPORT], KW.NONE, False, True),
    ("assistant_manager", "Assistant manager", Scope.SETTING, [VIEW_FAMILIES, MANAGE_ALLOCATIONS, MANAGE_PEOPLE, EDIT_KEY_ASPECTS], KW.NONE, False, True),
    ("lead_practitioner", "Lead practitioner", Scope.SETTING, [VIEW_FAMILIES, EDIT_KEY_ASPECTS], KW.PRACTITIONER, False, True),
    ("practitioner", "Practitioner", Scope.OWN_GROUP, [VIEW_FAMILIES, EDIT_KEY_ASPECTS], KW.PRACTITIONER, False, True),
]

# The organisation's top leader for the kind of its first setting: a school's headteacher, a childcare service's
# manager (early years, out of school care, youth). Every default role is kept whatever the kind: an organisation
# may have settings of both kinds.
TOP_LEADER_ROLE = {"school": "headteacher"}
TOP_LEADER_ROLE_OTHERWISE = "manager"


def top_leader_role_code(kind: str) -> str:
    return TOP_LEADER_ROLE.get(kind, TOP_LEADER_ROLE_OTHERWISE)
