"""The annual reviews API: list and read with steps and "All about my family", open, book, record steps, save the
family's views, share the booklet; per-field errors; 404 outside scope; the schema builds."""

import pytest
from rest_framework.test import APIClient

from ..models import FamilyViewsState
from .review_helpers import booked, ehcp

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def test_open_book_and_read_a_review_with_its_steps(world):
    ehcp(world.child_a)
    client = api(world.headteacher)
    opened = client.post("/api/v1/annual-reviews/", {"child": world.child_a.pk, "last_review_on": "2025-12-10"}, format="json")
    assert opened.status_code == 201, opened.json()
    data = opened.json()
    assert data["due_by"] == "2026-12-10" and data["family_views"]["state"] == FamilyViewsState.NOT_STARTED
    pk = data["id"]
    booked_ = client.post(f"/api/v1/annual-reviews/{pk}/schedule/", {"starts_at": "2026-11-30T14:00:00Z",
                                                                     "ends_at": "2026-11-30T15:00:00Z", "place": "Room 2"}, format="json")
    assert booked_.status_code == 200, booked_.json()
    steps = {s["code"]: s for s in booked_.json()["steps"]}
    assert steps["invitations"]["due_on"] == "2026-11-16" and steps["invitations"]["state"] == "overdue"
    listed = client.get("/api/v1/annual-reviews/", {"held": "false"}).json()
    assert [r["id"] for r in listed["results"]] == [pk]


def test_record_steps_views_and_the_booklet_shared(world):
    review = booked(world)
    client = api(world.ta_a)
    url = f"/api/v1/annual-reviews/{review.pk}"
    assert client.post(f"{url}/steps/", {"step": "invitations", "on": "2026-11-10"}, format="json").status_code == 200
    assert client.post(f"{url}/steps/", {"step": "key_worker"}, format="json").status_code == 200
    views = client.post(f"{url}/family-views/", {"going_well": "Swimming", "done": True}, format="json")
    assert views.status_code == 200 and views.json()["state"] == "done"
    shared = client.post(f"{url}/share-booklet/", {"shared_with": "Mum"}, format="json")
    assert shared.status_code == 200 and shared.json()["booklet_shared_with"] == "Mum"


def test_errors_name_their_field(world):
    review = booked(world)
    client = api(world.ta_a)
    url = f"/api/v1/annual-reviews/{review.pk}"
    bad = client.post(f"{url}/steps/", {"step": "dance", "on": "nope"}, format="json")
    assert bad.status_code == 400 and {"step", "on"} <= set(bad.json()["errors"])
    early = client.post(f"{url}/steps/", {"step": "report"}, format="json")
    assert early.status_code == 400 and "step" in early.json()["errors"]
    empty = client.post(f"{url}/family-views/", {"done": True}, format="json")
    assert empty.status_code == 400 and "going_well" in empty.json()["errors"]
    nobody = client.post(f"{url}/share-booklet/", {}, format="json")
    assert nobody.status_code == 400 and "shared_with" in nobody.json()["errors"]
    not_ehcp = api(world.headteacher).post("/api/v1/annual-reviews/", {"child": world.child_b.pk, "last_review_on": "2025-12-10"},
                                          format="json")
    assert not_ehcp.status_code == 400 and "child" in not_ehcp.json()["errors"]


def test_outside_scope_is_404(world):
    review = booked(world)
    client = api(world.outsider)
    assert client.get(f"/api/v1/annual-reviews/{review.pk}/").status_code == 404
    assert client.post(f"/api/v1/annual-reviews/{review.pk}/steps/", {"step": "papers"}, format="json").status_code == 404
    assert client.get("/api/v1/annual-reviews/").json()["results"] == []
    other = client.post("/api/v1/annual-reviews/", {"child": world.child_a.pk, "last_review_on": "2025-12-10"}, format="json")
    assert other.status_code == 400 and other.json()["errors"] == {"child": ["Not found."]}


def test_the_schema_builds_with_the_reviews(world):
    response = api(world.headteacher).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/annual-reviews/{id}/steps/" in response.json()["paths"]
