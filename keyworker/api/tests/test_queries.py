"""Every list answers in a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.people.models import KeyAspectChange
from keyworker.testing import allocate, make_child, make_family, make_group, make_staff

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/settings/", "/api/v1/classes/", "/api/v1/staff/", "/api/v1/children/", "/api/v1/families/",
    "/api/v1/carers/", "/api/v1/allocations/", "/api/v1/me/",
]

# Measured: authentication is forced in these tests, so a request with a token costs one query more.
# The children's list writes one more: the log of key aspects read (one row per child, one insert).
BUDGET = {
    "/api/v1/settings/": 5, "/api/v1/classes/": 6, "/api/v1/staff/": 7, "/api/v1/children/": 6,
    "/api/v1/families/": 8, "/api/v1/carers/": 5, "/api/v1/allocations/": 5, "/api/v1/me/": 5,
}


def add_rows(world, n: int) -> None:
    """n more families, each with a child, two carers and a key worker; n more staff with a class each."""
    for i in range(n):
        family = make_family(world.org, carers=2)
        group = make_group(world.school, f"Extra {world.org.pk}-{i}-{family.pk}")
        make_child(family, world.school, group)
        make_child(family, world.school, world.class_a)
        allocate(family, world.school, make_staff(world.org, world.school, ["teacher"], [group]))


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(world, api):
    client = api(world.headteacher)
    add_rows(world, 2)
    few = {url: count_queries(client, url) for url in LISTS}
    add_rows(world, 18)
    many = {url: count_queries(client, url) for url in LISTS}
    assert client.get("/api/v1/families/").json()["count"] == 23
    assert few == many
    for url, n in many.items():
        assert n <= BUDGET[url], (url, n)


def test_scoped_lists_do_not_grow_with_rows(world, api):
    client = api(world.teacher_a)
    add_rows(world, 2)
    few = {url: count_queries(client, url) for url in ("/api/v1/families/", "/api/v1/children/", "/api/v1/allocations/")}
    add_rows(world, 18)
    many = {url: count_queries(client, url) for url in few}
    # Both children of each new family: one is in class A, which makes the whole family visible.
    assert client.get("/api/v1/children/").json()["count"] == 2 + 2 * 20
    assert few == many


def test_key_aspect_history_queries_do_not_grow(world, api):
    client = api(world.ta_a)
    url = f"/api/v1/children/{world.child_a.pk}/key-aspect-changes/"

    def add_changes(n: int) -> None:
        KeyAspectChange.objects.bulk_create(
            KeyAspectChange(organisation=world.org, child=world.child_a, field="allergies", before="", after=str(i),
                            changed_by=(world.ta_a.user if i % 2 else world.teacher_a.user), changed_at=world.child_a.created_at)
            for i in range(n)
        )

    add_changes(2)
    few = count_queries(client, url)
    add_changes(18)
    assert count_queries(client, url) == few <= 6


def test_detail_and_writes_have_small_budgets(world, api, django_assert_max_num_queries):
    client = api(world.headteacher)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/families/{world.family_a.pk}/").status_code == 200
    with django_assert_max_num_queries(25):
        response = client.post(
            "/api/v1/allocations/assign/",
            {"family": world.family_unallocated.pk, "setting": world.school.pk, "staff": world.teacher_a.pk, "reason": "New"},
            format="json",
        )
        assert response.status_code == 201
