"""The OpenAPI schema is generated once per process: the docs pages answer at once."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from keyworker.api.schema import schema_cache_clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(monkeypatch):
    schema_cache_clear()
    calls = []
    real = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    yield calls
    schema_cache_clear()


def test_two_requests_generate_the_schema_once(generated, world):
    anonymous, key_worker = APIClient(), APIClient()
    key_worker.force_login(world.ta_a.user)
    first = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    second = key_worker.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and "/api/v1/families/" in first.json()["paths"]
    yaml = anonymous.get("/api/v1/schema/")  # another rendering of the same schema
    assert yaml.status_code == 200 and b"/api/v1/families/:" in yaml.content
    assert len(generated) == 1


def test_the_docs_pages_do_not_generate_the_schema(generated, world):
    client = APIClient()
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/redoc/").status_code == 200
    assert generated == []


def test_a_kept_rendering_keeps_its_content_type(client):
    schema_cache_clear()
    for _ in range(2):
        r = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert r["Content-Type"].startswith("application/vnd.oai.openapi+json") and r.json()["openapi"]
