"""API v1: celebrations (scoped list and filters, record with per-field errors, share, void) and positivity figures."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyworker.celebrations.models import Celebration
from keyworker.celebrations.services import celebration_record
from keyworker.contacts.models import ContactLog
from keyworker.core import clock
from keyworker.testing import allocate, make_child, make_family

TODAY = dt.date(2026, 11, 18)
URL = "/api/v1/celebrations/"


@pytest.fixture
def api():
    def client_for(staff):
        client = APIClient()
        if staff is not None:
            client.force_authenticate(user=staff.user)
        return client

    return client_for


def record(world, staff=None, child=None, **kw):
    values = {"kind": "star_of_the_week", "title": "Helped a friend", "celebrated_on": TODAY}
    values.update(kw)
    return celebration_record(actor=world.actor(staff or world.ta_a), child=child or world.child_a, **values)


def body(world, **kw):
    data = {"child": world.child_a.pk, "kind": "dojo_points", "points": 5, "title": "Great focus in maths", "celebrated_on": "2026-11-18"}
    data.update(kw)
    return data


def test_record_and_share_at_once(world, api):
    r = api(world.ta_a).post(URL, body(world, shared_how="messaging_app"), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert (data["kind"], data["kind_label"], data["points"], data["child_name"]) == ("dojo_points", "5 Dojo Points", 5, "Alfie Adams")
    assert data["is_shared"] and data["shared_on"] == "2026-11-18" and data["contact"] == ContactLog.objects.get().pk


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"title": ""}, "title", "blank"),
    ({"title": "   "}, "title", "blank"),
    ({"celebrated_on": "2026-11-19"}, "celebrated_on", "future_date"),
    ({"celebrated_on": "19/19/2026"}, "celebrated_on", "invalid"),
    ({"points": None}, "points", "points_required"),
    ({"kind": "medal"}, "kind", "invalid_choice"),
    ({"child": 99999999}, "child", "does_not_exist"),
    ({"shared_how": "pigeon"}, "shared_how", "invalid_choice"),
])
def test_record_per_field_errors(world, api, change, field, code):
    r = api(world.ta_a).post(URL, body(world, **change), format="json")
    assert r.status_code == 400
    assert r.json()["codes"][field] == [code], r.json()
    assert not Celebration.objects.exists()


def test_record_wrong_family_and_out_of_scope(world, api):
    r = api(world.ta_a).post(URL, body(world, family=world.family_unallocated.pk), format="json")
    assert r.status_code == 400 and r.json()["rule"] == "child_family"
    r = api(world.ta_a).post(URL, body(world, child=world.child_b.pk), format="json")
    assert r.status_code == 400 and r.json()["codes"]["child"] == ["does_not_exist"]
    r = api(world.outsider).post(URL, body(world), format="json")
    assert r.status_code == 400 and r.json()["errors"]["child"] == ["Not found."]
    assert api(None).post(URL, body(world), format="json").status_code in (401, 403)


def test_list_is_scoped_and_filtered(world, api):
    mine = record(world)
    record(world, staff=world.teacher_b, child=world.child_b, kind="well_done_postcard", title="Tidy work")
    assert [c["id"] for c in api(world.ta_a).get(URL).json()["results"]] == [mine.pk]
    assert api(world.outsider).get(URL).json()["results"] == []
    head = api(world.headteacher)
    assert head.get(URL).json()["count"] == 2
    assert [c["title"] for c in head.get(URL, {"kind": "well_done_postcard"}).json()["results"]] == ["Tidy work"]
    assert [c["title"] for c in head.get(URL, {"class": world.class_a.pk}).json()["results"]] == ["Helped a friend"]
    assert head.get(URL, {"shared": "true"}).json()["count"] == 0
    r = head.get(URL, {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert r.status_code == 400 and "date_to" in r.json()["errors"]
    assert head.get(URL, {"kind": "medal"}).status_code == 400


def test_retrieve_share_and_void(world, api):
    c = record(world)
    assert api(world.ta_a).get(f"{URL}{c.pk}/").json()["title"] == "Helped a friend"
    for staff in (world.outsider, world.teacher_b):
        assert api(staff).get(f"{URL}{c.pk}/").status_code == 404
        assert api(staff).post(f"{URL}{c.pk}/share/", {"shared_how": "phone"}, format="json").status_code == 404
    r = api(world.ta_a).post(f"{URL}{c.pk}/share/", {"shared_how": "phone"}, format="json")
    assert r.status_code == 200 and r.json()["is_shared"] and r.json()["shared_how"] == "phone"
    r = api(world.ta_a).post(f"{URL}{c.pk}/share/", {"shared_how": "phone"}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "already_shared"
    assert ContactLog.objects.count() == 1
    assert api(world.ta_a).post(f"{URL}{c.pk}/void/", {"reason": "Wrong child"}, format="json").status_code == 403
    r = api(world.headteacher).post(f"{URL}{c.pk}/void/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = api(world.headteacher).post(f"{URL}{c.pk}/void/", {"reason": "Recorded for the wrong child"}, format="json")
    assert r.status_code == 200 and r.json()["is_voided"] and r.json()["void_reason"] == "Recorded for the wrong child"
    assert api(world.ta_a).delete(f"{URL}{c.pk}/").status_code == 405  # nobody deletes a celebration


def test_list_fixed_queries(world, api, django_assert_max_num_queries):
    record(world)
    client = api(world.headteacher)
    client.get(URL)
    with django_assert_max_num_queries(15) as few:
        client.get(URL)
    for i in range(20):
        fam = make_family(world.org)
        child = make_child(fam, world.school, world.class_b)
        allocate(fam, world.school, world.teacher_b)
        record(world, staff=world.teacher_b, child=child, title=f"Effort {i}", shared_how="email")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 21


# Positivity -------------------------------------------------------------------------------------------------

def _contact(world, tone, family=None, author=None):
    ContactLog.objects.create(
        organisation=world.org, family=family or world.family_a, setting=world.school, author=author or world.ta_a,
        happened_on=TODAY, channel="phone", tone=tone, write_up="Spoke with mum about the week.", created_at=clock.now(),
    )


def test_positivity_of_a_family(world, api):
    for tone in ("positive", "concern", "celebration", "concern"):
        _contact(world, tone)
    r = api(world.ta_a).get("/api/v1/positivity/", {"family": world.family_a.pk})
    assert r.status_code == 200
    data = r.json()
    assert data["window"]["start"] == "2026-11-02" and data["rule"]["threshold_percent"] == 50
    family = data["family"]
    assert family["counts"] == {"celebration": 1, "positive": 1, "neutral": 0, "concern": 2, "total": 4, "positive_total": 2, "share": 50}
    assert family["flagged"] and not family["predominantly_positive"]  # exactly 50% is not predominantly positive
    assert api(world.teacher_b).get("/api/v1/positivity/", {"family": world.family_a.pk}).status_code == 404
    assert api(world.outsider).get("/api/v1/positivity/", {"family": world.family_a.pk}).status_code == 404


def test_positivity_of_a_key_worker(world, api):
    for tone in ("positive", "positive", "concern"):
        _contact(world, tone)
    data = api(world.ta_a).get("/api/v1/positivity/").json()
    assert data["counts"]["share"] == 66 and data["predominantly_positive"]
    assert [f["name"] for f in data["families"]] == ["The Adams family"] and not data["families"][0]["flagged"]
    assert api(world.headteacher).get("/api/v1/positivity/", {"key_worker": world.ta_a.pk}).json()["counts"]["total"] == 3
    assert api(world.teacher_b).get("/api/v1/positivity/", {"key_worker": world.ta_a.pk}).status_code == 403
    assert api(world.outsider).get("/api/v1/positivity/", {"key_worker": world.ta_a.pk}).status_code == 404


def test_positivity_of_a_setting(world, api):
    for tone in ("concern", "concern", "concern"):
        _contact(world, tone)
    r = api(world.headteacher).get("/api/v1/positivity/", {"setting": world.school.pk})
    assert r.status_code == 200
    data = r.json()
    kim = next(k for k in data["key_workers"] if k["name"] == "Kim Keyworker")
    assert kim["flagged"] == 1 and kim["counts"]["concern"] == 3
    assert [f["name"] for f in data["families"]] == ["The Adams family"]
    assert api(world.ta_a).get("/api/v1/positivity/", {"setting": world.school.pk}).status_code == 403
    assert api(world.outsider).get("/api/v1/positivity/", {"setting": world.school.pk}).status_code == 404
    r = api(world.headteacher).get("/api/v1/positivity/", {"setting": world.school.pk, "family": world.family_a.pk})
    assert r.status_code == 400 and "setting" in r.json()["errors"]
    assert api(world.headteacher).get("/api/v1/positivity/", {"setting": "abc"}).status_code == 400


def test_positivity_rule_endpoint(world, api):
    r = api(world.ta_a).get("/api/v1/positivity/rule/")
    assert r.status_code == 200 and r.json()["threshold_percent"] == 50 and r.json()["updated_at"] is None
    rule = {"threshold_percent": 60, "min_contacts": 4, "window": "days", "window_days": 28}
    assert api(world.ta_a).put("/api/v1/positivity/rule/", rule, format="json").status_code == 403
    r = api(world.admin_office).put("/api/v1/positivity/rule/", rule | {"threshold_percent": 101, "window_days": 3}, format="json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"threshold_percent", "window_days"}
    r = api(world.admin_office).put("/api/v1/positivity/rule/", rule, format="json")
    assert r.status_code == 200 and r.json()["window_days"] == 28
    assert api(world.outsider).get("/api/v1/positivity/rule/").json()["threshold_percent"] == 50  # their own organisation's


def test_recent_celebrations_tag(world):
    from django.template import Context, Template

    record(world, title="Lovely singing")
    html = Template("{% load celebrations_tags %}{% recent_celebrations family actor %}").render(
        Context({"family": world.family_a, "actor": world.actor(world.ta_a)}))
    assert "Lovely singing" in html and f"/celebrations/new/?family={world.family_a.pk}" in html
    html = Template("{% load celebrations_tags %}{% recent_celebrations family actor %}").render(
        Context({"family": world.family_a, "actor": world.actor(world.outsider)}))
    assert "Lovely singing" not in html
