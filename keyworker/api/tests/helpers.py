"""Expectations shared by the API tests: which persona sees which family of the test world."""

from keyworker.testing import World

PERSONAS = ["headteacher", "deputy", "teacher_a", "ta_a", "teacher_b", "admin_office", "safeguarding_lead", "outsider"]
ORG_PERSONAS = [p for p in PERSONAS if p != "outsider"]

# What the roles' scopes give: organisation-wide for leaders and the office, the setting for the safeguarding
# lead, their own class (and own caseload) for teachers and assistants.
VISIBLE_FAMILIES = {
    "headteacher": {"family_a", "family_b", "family_unallocated"},
    "deputy": {"family_a", "family_b", "family_unallocated"},
    "admin_office": {"family_a", "family_b", "family_unallocated"},
    "safeguarding_lead": {"family_a", "family_b", "family_unallocated"},
    "teacher_a": {"family_a", "family_unallocated"},
    "ta_a": {"family_a", "family_unallocated"},
    "teacher_b": {"family_b"},
    "outsider": {"other_family"},
}
ORG_FAMILIES = ["family_a", "family_b", "family_unallocated"]


def family_ids(world: World, persona: str) -> set[int]:
    return {getattr(world, name).pk for name in VISIBLE_FAMILIES[persona]}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def assert_error(response, field: str, status: int = 400) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert field in body["errors"], body
    assert isinstance(body["errors"][field], list) and body["errors"][field], body
    return body
