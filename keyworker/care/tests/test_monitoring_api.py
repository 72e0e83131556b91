"""API v1 of the manager's monitoring: rows of a setting, samples (start, score, sign off), findings (acknowledge);
a message per field, 404 outside scope."""

import pytest
from rest_framework.test import APIClient

from keyworker.care.models_monitoring import MonitoringFinding

from .monitoring_helpers import make_nursery, sources_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ALL_GOOD = {"up_to_date": "good", "child_voice": "good", "next_steps": "good", "high_standard": "good"}


def _client(staff) -> APIClient:
    client = APIClient()
    client.force_login(staff.user)
    return client


def test_rows(world, sources):
    nursery = make_nursery(world)
    client = _client(nursery.manager)
    response = client.get(f"/api/v1/monitoring/settings/{nursery.setting.pk}/rows/", {"out_of_date": "true"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {c["kind"] for c in body["counts"]} == {"journal", "care_plan"}
    assert body["rows"] and all(not r["up_to_date"] for r in body["rows"])
    bad = client.get(f"/api/v1/monitoring/settings/{nursery.setting.pk}/rows/", {"as_of": "yesterday", "key_person": "x"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"as_of", "key_person"}
    for staff in (nursery.key_person, world.outsider):
        assert _client(staff).get(f"/api/v1/monitoring/settings/{nursery.setting.pk}/rows/").status_code == 404


def test_sample_workflow_and_errors(world, sources):
    nursery = make_nursery(world)
    client = _client(nursery.manager)
    empty = client.post("/api/v1/monitoring-samples/", {"setting": nursery.setting.pk}, format="json")
    assert empty.status_code == 400 and "records" in empty.json()["errors"]
    bad = client.post("/api/v1/monitoring-samples/", {"setting": nursery.setting.pk, "records": ["nonsense"]}, format="json")
    assert bad.status_code == 400 and "records" in bad.json()["errors"]
    outside = _client(world.outsider).post("/api/v1/monitoring-samples/",
                                           {"setting": nursery.setting.pk, "random_size": 2}, format="json")
    assert outside.status_code == 404
    created = client.post("/api/v1/monitoring-samples/", {"setting": nursery.setting.pk, "random_size": 2}, format="json")
    assert created.status_code == 201, created.content
    sample = created.json()
    assert len(sample["items"]) == 2 and [c[0] for c in sample["rubric"]] == list(ALL_GOOD)
    url = f"/api/v1/monitoring-samples/{sample['id']}/"
    assert _client(nursery.key_person).get(url).status_code == 404
    unscored = client.post(url + "sign-off/")
    assert unscored.status_code == 400 and unscored.json()["codes"]["items"] == ["unscored"]
    not_in = client.post(url + "score/", {"item": 999999, "scores": ALL_GOOD}, format="json")
    assert not_in.status_code == 400 and not_in.json()["codes"]["item"] == ["not_in_sample"]
    item = sample["items"][0]["id"]
    partial = client.post(url + "score/", {"item": item, "scores": {"up_to_date": "good", "child_voice": "missing"}},
                          format="json")
    assert partial.status_code == 400 and {"next_steps", "high_standard"} <= set(partial.json()["errors"])
    wrong = client.post(url + "score/", {"item": item, "scores": {"up_to_date": "great"}}, format="json")
    assert wrong.status_code == 400 and "scores" in wrong.json()["errors"]
    for it in sample["items"]:
        assert client.post(url + "score/", {"item": it["id"], "scores": ALL_GOOD}, format="json").status_code == 200
    signed = client.post(url + "sign-off/")
    assert signed.status_code == 200 and signed.json()["signed_off_on"]
    findings = client.get("/api/v1/monitoring-findings/").json()
    assert findings["count"] == 2


def test_findings_acknowledge(world, sources):
    nursery = make_nursery(world)
    client = _client(nursery.manager)
    record = f"journal:{nursery.children[0].pk}"
    sample = client.post("/api/v1/monitoring-samples/", {"setting": nursery.setting.pk, "records": [record]},
                         format="json").json()
    url = f"/api/v1/monitoring-samples/{sample['id']}/"
    client.post(url + "score/", {"item": sample["items"][0]["id"], "scores": ALL_GOOD}, format="json")
    client.post(url + "sign-off/")
    finding = MonitoringFinding.objects.get()
    furl = f"/api/v1/monitoring-findings/{finding.pk}/acknowledge/"
    assert _client(nursery.other_key_person).post(furl).status_code == 404
    refused = client.post(furl)
    assert refused.status_code == 400 and refused.json()["codes"]["finding"] == ["not_yours"]
    kp = _client(nursery.key_person)
    mine = kp.get("/api/v1/monitoring-findings/", {"awaiting": "true", "mine": "true"}).json()
    assert [f["id"] for f in mine["results"]] == [finding.pk]
    done = kp.post(furl)
    assert done.status_code == 200 and done.json()["acknowledged_at"]


def test_schema_names_the_monitoring_routes(world):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path in ("/api/v1/monitoring/settings/{setting_id}/rows/", "/api/v1/monitoring-samples/",
                 "/api/v1/monitoring-samples/{id}/score/", "/api/v1/monitoring-samples/{id}/sign-off/",
                 "/api/v1/monitoring-findings/{id}/acknowledge/"):
        assert path in paths, path
