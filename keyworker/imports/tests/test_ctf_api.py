"""API v1 for common transfer files: upload and preview, per-field errors, import, a child's CTF; who may; 404
outside the organisation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keyworker.imports.ctf_reading import read_ctf
from keyworker.imports.models import CtfImport
from keyworker.people.models import Child
from keyworker.testing import api_client_with_token

from .test_ctf_import import ctf

pytestmark = pytest.mark.django_db


def post(client, world, name, data=None, setting=None):
    return client.post("/api/v1/ctf-imports/", {
        "setting": setting or world.school.pk,
        "file": SimpleUploadedFile(name, ctf(name) if data is None else data, content_type="application/xml"),
    }, format="multipart")


def test_upload_preview_and_import(world):
    client = api_client_with_token(world.admin_office)
    response = post(client, world, "transfer_full.xml")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "checked" and body["preview"]["counts"]["create"] == 3
    assert body["preview"]["pupils"][0]["changes"][0] == {"what": "Child", "field": "Legal first name", "before": "",
                                                          "after": "Zofia"}
    assert client.get(f"/api/v1/ctf-imports/{body['id']}/").json()["id"] == body["id"]
    assert client.get("/api/v1/ctf-imports/").status_code == 200
    done = client.post(f"/api/v1/ctf-imports/{body['id']}/confirm/")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Child.objects.filter(organisation=world.org, upn="X938201512001").exists()
    again = client.post(f"/api/v1/ctf-imports/{body['id']}/confirm/")
    assert again.status_code == 400


def test_errors_per_field(world):
    client = api_client_with_token(world.admin_office)
    response = post(client, world, "billion_laughs.xml")
    assert response.status_code == 400 and "DTD" in str(response.json())
    response = post(client, world, "windows_1252_as_utf8.xml")
    assert response.status_code == 400 and "UTF-8" in str(response.json())
    response = post(client, world, "transfer_full.xml", setting=999999)
    assert response.status_code == 400 and "setting" in response.json()["errors"]
    response = client.post("/api/v1/ctf-imports/", {}, format="multipart")
    assert response.status_code == 400
    assert not CtfImport.objects.exists()


def test_who_may_and_outsiders(world):
    upload = post(api_client_with_token(world.admin_office), world, "transfer_full.xml").json()
    key_worker = api_client_with_token(world.ta_a)
    assert key_worker.get(f"/api/v1/ctf-imports/{upload['id']}/").status_code == 403
    assert post(key_worker, world, "transfer_full.xml").status_code == 403
    outsider = api_client_with_token(world.outsider)
    assert outsider.get(f"/api/v1/ctf-imports/{upload['id']}/").status_code == 404
    assert outsider.post(f"/api/v1/ctf-imports/{upload['id']}/confirm/").status_code == 404
    assert outsider.get(f"/api/v1/ctf-imports/child/{world.child_a.pk}/").status_code == 404


def test_a_childs_ctf(world):
    client = api_client_with_token(world.headteacher)
    response = client.get(f"/api/v1/ctf-imports/child/{world.child_a.pk}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert read_ctf(response.content).pupils[0].last_name == "Adams"
    assert api_client_with_token(world.ta_a).get(f"/api/v1/ctf-imports/child/{world.child_a.pk}/").status_code == 403
