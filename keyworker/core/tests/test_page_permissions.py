"""The permission matrix of every page for every persona: allowed (200), not allowed (403), out of scope (404)."""

import pytest

pytestmark = pytest.mark.django_db

# Page name -> function of the world giving its URL.
PAGES = {
    "my_families": lambda w: "/families/",
    "family_list": lambda w: "/families/all/",
    "family_a": lambda w: f"/families/{w.family_a.pk}/",
    "family_b": lambda w: f"/families/{w.family_b.pk}/",
    "child_a": lambda w: f"/families/children/{w.child_a.pk}/",
    "key_aspects_a": lambda w: f"/families/children/{w.child_a.pk}/key-aspects/",
    "family_edit_a": lambda w: f"/families/{w.family_a.pk}/edit/",
    "carer_add_a": lambda w: f"/families/{w.family_a.pk}/carers/new/",
    "child_add_a": lambda w: f"/families/{w.family_a.pk}/children/new/",
    "child_edit_a": lambda w: f"/families/children/{w.child_a.pk}/edit/",
    "family_add": lambda w: "/families/new/",
    "allocation": lambda w: "/allocation/",
    "family_allocation_a": lambda w: f"/allocation/families/{w.family_a.pk}/",
    "reassign_ta_a": lambda w: f"/allocation/staff/{w.ta_a.pk}/reassign/",
    "staff_list": lambda w: "/staff/",
    "staff_ta_a": lambda w: f"/staff/{w.ta_a.pk}/",
    "staff_add": lambda w: "/staff/new/",
    "staff_edit_ta_a": lambda w: f"/staff/{w.ta_a.pk}/edit/",
    "staff_leave_ta_a": lambda w: f"/staff/{w.ta_a.pk}/leave/",
    "setup": lambda w: "/setup/",
    "setting": lambda w: f"/setup/settings/{w.school.pk}/",
}

OK, NO, GONE = 200, 403, 404

# Expected status per persona, page by page.
MATRIX = {
    #                       head deputy teacher_a key_worker teacher_b admin  dsl  outsider
    "my_families":         (OK,  OK,    OK,       OK,        OK,       OK,    OK,  OK),
    "family_list":         (OK,  OK,    OK,       OK,        OK,       OK,    OK,  OK),
    "family_a":            (OK,  OK,    OK,       OK,        GONE,     OK,    OK,  GONE),
    "family_b":            (OK,  OK,    GONE,     GONE,      OK,       OK,    OK,  GONE),
    "child_a":             (OK,  OK,    OK,       OK,        GONE,     OK,    OK,  GONE),
    "key_aspects_a":       (OK,  OK,    OK,       OK,        GONE,     OK,    OK,  GONE),
    "family_edit_a":       (OK,  OK,    NO,       NO,        GONE,     OK,    NO,  GONE),
    "carer_add_a":         (OK,  OK,    NO,       NO,        GONE,     OK,    NO,  GONE),
    "child_add_a":         (OK,  OK,    NO,       NO,        GONE,     OK,    NO,  GONE),
    "child_edit_a":        (OK,  OK,    NO,       NO,        GONE,     OK,    NO,  GONE),
    "family_add":          (OK,  OK,    NO,       NO,        NO,       OK,    NO,  OK),
    "allocation":          (OK,  OK,    NO,       NO,        NO,       NO,    NO,  OK),
    "family_allocation_a": (OK,  OK,    NO,       NO,        NO,       NO,    NO,  GONE),
    "reassign_ta_a":       (OK,  OK,    NO,       NO,        NO,       NO,    NO,  GONE),
    "staff_list":          (OK,  OK,    NO,       NO,        NO,       OK,    NO,  OK),
    "staff_ta_a":          (OK,  OK,    NO,       NO,        NO,       OK,    NO,  GONE),
    "staff_add":           (OK,  OK,    NO,       NO,        NO,       OK,    NO,  OK),
    "staff_edit_ta_a":     (OK,  OK,    NO,       NO,        NO,       OK,    NO,  GONE),
    "staff_leave_ta_a":    (OK,  OK,    NO,       NO,        NO,       OK,    NO,  GONE),
    "setup":               (OK,  OK,    NO,       NO,        NO,       OK,    NO,  OK),
    "setting":             (OK,  OK,    NO,       NO,        NO,       OK,    NO,  GONE),
}
PERSONAS = ("headteacher", "deputy", "teacher_a", "key_worker", "teacher_b", "admin_office", "safeguarding_lead", "outsider")

CASES = [(page, persona, MATRIX[page][i]) for page in PAGES for i, persona in enumerate(PERSONAS)]


@pytest.mark.parametrize(("page", "persona", "expected"), CASES, ids=[f"{p}-{q}" for p, q, _ in CASES])
def test_page_permission(world, client_for, page, persona, expected):
    url = PAGES[page](world)
    response = client_for(world.personas[persona]).get(url)
    assert response.status_code == expected, f"{persona} GET {url}"


def test_matrix_covers_every_page():
    assert set(MATRIX) == set(PAGES)


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_is_sent_to_sign_in(client, db, world, page):
    response = client.get(PAGES[page](world))
    assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")
