"""The care plans API: plans (list, read, new version, versions), reviews (list, record), comments (list); an error
per field; outside the caller's scope, 404; the OpenAPI schema covers it."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyworker.testing import make_staff

from ..models_plans import ChildChose
from ..plans_services import care_plan_comment_add, care_plan_review_record, care_plan_save
from .plans_helpers import SECTIONS, make_club

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def test_write_and_read_a_plan_in_versions(world):
    club = make_club(world)
    client = api(club.key_contact)
    response = client.post("/api/v1/care-plans/", {"child": club.child.pk, **SECTIONS}, format="json")
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["current"]["number"] == 1 and plan["current"]["health"] == SECTIONS["health"]
    assert plan["next_review_rule"] == "start" and plan["next_review_due"] == "2026-09-30"
    again = client.post("/api/v1/care-plans/", {"child": club.child.pk, **SECTIONS, "interests": "Chess",
                                                "summary": "Chess"}, format="json")
    assert again.status_code == 201 and again.json()["current"]["number"] == 2
    versions = client.get(f"/api/v1/care-plans/{plan['id']}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1] and versions[1]["interests"] == "Football"
    listing = client.get(f"/api/v1/care-plans/?child={club.child.pk}").json()
    assert [p["id"] for p in listing["results"]] == [plan["id"]]
    same = client.post("/api/v1/care-plans/", {"child": club.child.pk, **SECTIONS, "interests": "Chess"}, format="json")
    assert same.status_code == 400 and same.json()["rule"] == "unchanged"


def test_errors_per_field(world):
    club = make_club(world)
    client = api(club.key_contact)
    bad = client.post("/api/v1/care-plans/", {"child": "x", "health": "x" * 5000}, format="json")
    assert bad.status_code == 400 and {"child", "health"} <= set(bad.json()["errors"])
    care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections=SECTIONS, as_of=dt.date(2026, 10, 1))
    stranger = make_staff(world.org, world.school, ["teacher"])
    future = client.post("/api/v1/care-plan-reviews/", {"child": club.child.pk, "reviewed_on": "2026-12-01",
                                                         "child_chose": "key_worker"}, format="json")
    assert future.status_code == 400 and "future" in future.json()["errors"]["reviewed_on"][0]
    before = client.post("/api/v1/care-plan-reviews/", {"child": club.child.pk, "reviewed_on": "2026-09-01",
                                                         "child_chose": "key_worker"}, format="json")
    assert before.status_code == 400 and "reviewed_on" in before.json()["errors"]
    outside = client.post("/api/v1/care-plan-reviews/", {"child": club.child.pk, "reviewed_on": "2026-11-17",
                                                          "child_chose": "staff", "chosen_staff": stranger.pk}, format="json")
    assert outside.status_code == 400 and "chosen_staff" in outside.json()["errors"]
    junk = client.post("/api/v1/care-plan-reviews/", {"child": club.child.pk, "reviewed_on": "soon", "child_chose": "x",
                                                       "plan": {"colour": "blue"}}, format="json")
    assert junk.status_code == 400 and {"reviewed_on", "child_chose", "plan"} <= set(junk.json()["errors"])
    assert client.get("/api/v1/care-plan-comments/?asks_review=perhaps").status_code == 400


def test_record_a_review_that_changes_the_plan_and_list_reviews_and_comments(world):
    club = make_club(world)
    care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections=SECTIONS, as_of=dt.date(2026, 10, 1))
    care_plan_comment_add(link=club.carer, child=club.child, body="Sleep, please", asks_review=True)
    client = api(club.key_contact)
    response = client.post("/api/v1/care-plan-reviews/", {
        "child": club.child.pk, "reviewed_on": "2026-11-18", "child_chose": "staff", "chosen_staff": club.other_staff.pk,
        "done_by": club.other_staff.pk, "notes": "Talked at snack", "plan": {"routines": "Quiet time before pick-up"},
    }, format="json")
    assert response.status_code == 201, response.content
    review = response.json()
    assert review["plan_changed"] and review["version"] == 2 and review["chosen_staff_name"] == "Olly Other Thistle Club"
    assert client.get("/api/v1/care-plan-reviews/").json()["results"][0]["id"] == review["id"]
    comments = client.get(f"/api/v1/care-plan-comments/?child={club.child.pk}").json()["results"]
    assert comments[0]["asks_review"] and comments[0]["answered_by"] == review["id"]
    plan = client.get(f"/api/v1/care-plans/{review['plan']}/").json()
    assert plan["current"]["routines"] == "Quiet time before pick-up" and plan["current"]["health"] == SECTIONS["health"]


def test_outside_the_scope_404(world):
    club = make_club(world)
    version = care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections=SECTIONS,
                             as_of=dt.date(2026, 10, 1))
    review = care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 11, 2),
                                     child_chose=ChildChose.KEY_WORKER)
    comment = care_plan_comment_add(link=club.carer, child=club.child, body="Thanks")
    for staff in (world.outsider, world.teacher_a):
        client = api(staff)
        assert client.get(f"/api/v1/care-plans/{version.plan_id}/").status_code == 404
        assert client.get(f"/api/v1/care-plans/{version.plan_id}/versions/").status_code == 404
        assert client.get(f"/api/v1/care-plan-reviews/{review.pk}/").status_code == 404
        assert client.get(f"/api/v1/care-plan-comments/{comment.pk}/").status_code == 404
        assert client.get("/api/v1/care-plans/").json()["results"] == []
        refused = client.post("/api/v1/care-plan-reviews/", {"child": club.child.pk, "reviewed_on": "2026-11-17",
                                                              "child_chose": "key_worker"}, format="json")
        assert refused.status_code == 400 and refused.json()["errors"]["child"] == ["Not found."]


def test_the_schema_covers_care_plans(world):
    client = api(world.headteacher)
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/care-plans/", "/api/v1/care-plans/{id}/versions/", "/api/v1/care-plan-reviews/",
                 "/api/v1/care-plan-comments/"):
        assert path in schema["paths"], path
