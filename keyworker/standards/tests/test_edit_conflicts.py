"""No lost edits on standards: two leaders change the same standard; the second sees who changed it, their values
against theirs, keeps their input, and saves again knowingly; the page and the API alike."""

import datetime as dt
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from keyworker.core.testing import as_opened
from keyworker.standards import services
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import EvidenceSource
from keyworker.standards.forms import StandardForm
from keyworker.standards.models import Standard, StandardRevision
from keyworker.standards.validation import roles_held

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def sch4(world) -> Standard:
    policy = services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                                   effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))
    with standards_testing.replaced_evidence(EvidenceSource("contact_log", "A contact log", lambda *a: [], frozenset({"min_words"}))):
        yield Standard.objects.get(policy_version__policy=policy, clause="SCH-4")


def _page(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_second_leader_sees_the_conflict_and_the_first_change_stays(world, sch4):
    url = f"/policies/standards/{sch4.pk}/"
    opened = {**as_opened(StandardForm(None, standard=sch4, roles_held=roles_held(world.org.pk))),
              "effective_from": "2026-11-23"}
    assert 'name="version" value="1"' in _page(world.deputy).get(url).content.decode()

    assert _page(world.headteacher).post(url, {**opened, "cadence_n": "2"}).status_code == 302
    r = _page(world.deputy).post(url, {**opened, "due_soon_days": "5"})

    assert r.status_code == 409
    html = r.content.decode()
    assert "Helen Head saved this" in html
    assert "<td>2</td><td>1</td>" in html and "<td>2</td><td>5</td>" in html  # N: theirs, yours; due soon: theirs, yours
    sch4.refresh_from_db()
    assert (sch4.cadence_n, sch4.due_soon_days, sch4.version) == (2, 2, 2)
    assert StandardRevision.objects.filter(standard=sch4).count() == 1

    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    r = _page(world.deputy).post(url, {**opened, "due_soon_days": "5", "version": version})
    assert r.status_code == 302
    sch4.refresh_from_db()
    assert (sch4.cadence_n, sch4.due_soon_days, sch4.version) == (1, 5, 3)  # knowingly overwritten


def test_api_second_change_from_the_same_version_is_409(world, sch4):
    first, second = APIClient(), APIClient()
    first.force_authenticate(user=world.headteacher.user)
    second.force_authenticate(user=world.deputy.user)
    url = f"/api/v1/standards/{sch4.pk}/"
    version = second.get(url).json()["version"]
    assert first.patch(url, {"cadence_n": 2, "version": version}, format="json").status_code == 200
    r = second.patch(url, {"enabled": False, "version": version}, format="json")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "conflict" and body["current"]["cadence_n"] == 2 and body["current"]["enabled"] is True
    assert StandardRevision.objects.filter(standard=sch4).count() == 1
    r = second.patch(url, {"enabled": False, "due_soon_days": 3, "version": body["current"]["version"]}, format="json")
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["version"] == 4
    r = second.patch(url, {"due_soon_days": 4}, format="json")
    assert r.status_code == 400 and "version" in r.json()["errors"]


def test_outsider_cannot_reach_the_standard(world, sch4):
    outsider = APIClient()
    outsider.force_authenticate(user=world.outsider.user)
    assert outsider.patch(f"/api/v1/standards/{sch4.pk}/", {"cadence_n": 2, "version": 1}, format="json").status_code == 404
