"""API v1 safeguarding: raise (anyone, per-field errors), list and read (team only, logged, 404 for others), entries."""

import pytest

from keyworker.safeguarding.models import Concern, ConcernAccess, Entry
from keyworker.testing import api_client_with_token

from .helpers import WORDS, raise_concern

URL = "/api/v1/safeguarding/concerns/"


def _api(staff):
    """A token issued with a second factor just now, as a script reading concerns would get one."""
    return api_client_with_token(staff)


def _body(world, **kw):
    data = {"child": world.child_a.pk, "category": "neglect", "what_happened": WORDS, "happened_at": "2026-11-18T09:00:00Z"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_anyone_raises_a_concern_and_gets_no_content_back(world):
    response = _api(world.ta_a).post(URL, _body(world, others=[world.child_b.pk], present="Mr Quill"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["restricted"] is True and body["message"] == "Sent to the safeguarding team."
    assert "Sam Safeguarding" in body["talk_to"] and "Zebedee" not in str(body)
    concern = Concern.objects.get(pk=body["id"])
    assert set(concern.links.values_list("child_id", flat=True)) == {world.child_a.pk, world.child_b.pk}


@pytest.mark.parametrize(("changes", "field"), [
    ({"what_happened": "Bruise"}, "what_happened"),
    ({"what_happened": None}, "what_happened"),
    ({"category": "gossip"}, "category"),
    ({"happened_at": "2026-12-25T10:00:00Z"}, "happened_at"),
    ({"happened_at": "soon"}, "happened_at"),
    ({"child": 999999999}, "child"),
    ({"child": "abc"}, "child"),
    ({"others": [999999999]}, "others"),
    ({"others": list(range(1, 40))}, "others"),
    ({"contact": 999999999}, "contact"),
])
def test_raise_refusals_per_field(world, changes, field):
    response = _api(world.ta_a).post(URL, _body(world, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Concern.objects.exists()


def test_other_organisations_child_is_not_found(world):
    response = _api(world.outsider).post(URL, _body(world), format="json")
    assert response.status_code == 400 and response.json()["errors"]["child"] == ["Not found."]


def test_team_lists_and_reads_and_each_is_logged(world, django_assert_max_num_queries):
    concern = raise_concern(world)
    client = _api(world.safeguarding_lead)
    with django_assert_max_num_queries(12):
        listed = client.get(URL)
    assert listed.status_code == 200
    row = listed.json()["results"][0]
    assert row["id"] == concern.pk and "what_happened" not in row
    assert ConcernAccess.objects.filter(route="list", concern=concern, detail="api").exists()
    read = client.get(f"{URL}{concern.pk}/")
    assert read.status_code == 200 and read.json()["what_happened"] == WORDS
    assert ConcernAccess.objects.filter(route="api", concern=concern, allowed=True).exists()


@pytest.mark.parametrize("persona", ["teacher_a", "ta_a", "teacher_b", "admin_office", "outsider"])
def test_others_get_404_and_attempts_are_logged(world, persona):
    concern = raise_concern(world)
    client = _api(getattr(world, persona))
    listed = client.get(URL)
    if persona == "outsider":  # on their own organisation's team: this one's concerns are not there
        assert listed.status_code == 200 and listed.json()["results"] == []
    else:
        assert listed.status_code == 404
    for response in (client.get(f"{URL}{concern.pk}/"),
                     client.post(f"{URL}{concern.pk}/entries/", {"kind": "outcome", "text": "Nothing more to do about it."})):
        assert response.status_code == 404
        assert "Zebedee" not in response.content.decode()
    refused = ConcernAccess.objects.filter(allowed=False, route="api")
    if persona == "outsider":
        assert not refused.filter(concern=concern).exists()
    else:
        assert refused.filter(concern=concern).count() == 2 and refused.filter(concern__isnull=True).count() == 1
    assert not Entry.objects.exists()


def test_team_adds_entries_with_per_field_errors(world):
    concern = raise_concern(world)
    client = _api(world.safeguarding_lead)
    url = f"{URL}{concern.pk}/entries/"
    ok = client.post(url, {"kind": "action", "text": "Speak to mum at pick up today.", "assigned_to": world.teacher_a.pk,
                           "due_on": "2026-11-19"}, format="json")
    assert ok.status_code == 201 and ok.json()["assigned_to"] == world.teacher_a.pk
    ok = client.post(url, {"kind": "referral", "text": "Referral made to the front door.", "agency": "childrens_services",
                           "made_on": "2026-11-18", "reference": "CS-1"}, format="json")
    assert ok.status_code == 201 and ok.json()["decision_due_on"] == "2026-11-19"
    for body, field in [({"kind": "decision", "text": "Refer to children's services now."}, "reason"),
                        ({"kind": "action", "text": "Speak to mum at pick up today.", "assigned_to": world.outsider.pk}, "assigned_to"),
                        ({"kind": "party", "text": "Speak to mum at pick up today."}, "kind"),
                        ({"kind": "outcome", "text": "Done and dusted now.", "child": world.child_b.pk}, "child")]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400 and field in response.json()["errors"], (body, response.json())
    read = client.get(f"{URL}{concern.pk}/").json()
    assert [e["kind"] for e in read["entries"]] == ["action", "referral"]


def test_schema_has_the_safeguarding_api(world):
    r = _api(world.headteacher).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    assert {URL, URL + "{id}/", URL + "{id}/entries/"} <= set(r.json()["paths"])
