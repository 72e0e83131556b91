"""Policy changes on the pages and in the API: the date a change takes effect, waiting and applied, the change in
words with who made it, and key workers acknowledging a change to their duties (others: 403, outsiders: 404)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from keyworker.standards import engine, services
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import EvidenceSource
from keyworker.standards.management.commands.worker import run_cycle
from keyworker.standards.models import RevisionAcknowledgement, Standard, StandardRevision

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 18)


@pytest.fixture
def policy(world):
    with standards_testing.replaced_evidence(EvidenceSource("contact_log", "A contact log", lambda *a: [], frozenset({"min_words"}))):
        policy = services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                                       effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))
        engine.recompute(organisation_id=world.org.pk, as_of=TODAY)
        yield policy


def sch4(policy) -> Standard:
    return Standard.objects.get(policy_version__policy=policy, clause="SCH-4")


def form_data(standard: Standard, **changes) -> dict:
    data = {
        "title": standard.title, "description": standard.description, "enabled": "on",
        "setting_kinds": standard.setting_kinds, "subject": standard.subject, "cadence": standard.cadence,
        "cadence_n": standard.cadence_n, "evidence": standard.evidence, "min_words": 5,
        "responsible": standard.responsible, "due_soon_days": standard.due_soon_days,
        "escalate_after_days": standard.escalate_after_days or "", "escalate_to_roles": standard.escalate_to_roles,
        "version": standard.version, "effective_from": "2026-11-23",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def api(staff) -> APIClient:
    client = APIClient()
    client.force_login(staff.user)
    return client


def describe(policy, world, text="Contact each family every week, by phone or in person."):
    """A change of wording (it touches duties, and computes as before), applied by the worker."""
    services.standard_update(actor=world.actor(world.deputy), standard=sch4(policy), description=text,
                             effective_from=D(2026, 11, 23))
    run_cycle(worker_id="test", as_of=TODAY)
    return StandardRevision.objects.filter(standard=sch4(policy)).latest("changed_at", "id")


# The standard's page ------------------------------------------------------------------------------------------


def test_the_form_asks_when_the_change_takes_effect(world, policy, client_for):
    page = client_for(world.headteacher).get(f"/policies/standards/{sch4(policy).pk}/").content.decode()
    assert 'name="effective_from"' in page and 'value="2026-11-23"' in page
    assert "the next school week" in page and "Mon 16 November 2026" in page


@pytest.mark.parametrize(("given", "words"), [
    ("", "Say when the change takes effect"),
    ("31/31/2026", "as a date"),
    ("2026-11-02", "cannot take effect before Mon 16 November 2026"),
])
def test_a_missing_invalid_or_early_date_is_refused_next_to_its_field(world, policy, client_for, given, words):
    s = sch4(policy)
    response = client_for(world.headteacher).post(f"/policies/standards/{s.pk}/", form_data(s, cadence_n=2,
                                                                                            effective_from=given))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and words in page
    assert not StandardRevision.objects.exists()


def test_saving_answers_at_once_and_the_page_shows_waiting_then_applied(world, policy, client_for):
    s = sch4(policy)
    client = client_for(world.deputy)
    response = client.post(f"/policies/standards/{s.pk}/", form_data(s, due_soon_days=3))
    assert response.status_code == 302
    page = client.get(f"/policies/standards/{s.pk}/").content.decode()
    assert "takes effect from Mon 23 November 2026" in page and "Waiting to be applied" in page
    assert "Shown as due soon (days before): 2 → 3" in page and "Dev Deputy" in page
    StandardRevision.objects.update(applied_at=dt.datetime(2026, 11, 18, 10, 31, tzinfo=dt.UTC))
    page = client.get(f"/policies/standards/{s.pk}/").content.decode()
    assert "Applied at" in page and "Waiting to be applied" not in page


def test_switching_off_from_a_date(world, policy, client_for):
    s = sch4(policy)
    client = client_for(world.headteacher)
    refused = client.post(f"/policies/standards/{s.pk}/switch/", {"enabled": "off", "effective_from": "2026-10-05"},
                          follow=True)
    assert "cannot take effect before" in refused.content.decode() and not StandardRevision.objects.exists()
    assert client.post(f"/policies/standards/{s.pk}/switch/", {"enabled": "off", "effective_from": "2026-11-30"}).status_code == 302
    assert StandardRevision.objects.get().effective_from == D(2026, 11, 30)
    # Without a date (the policy page's switch) it takes the default.
    assert client.post(f"/policies/standards/{s.pk}/switch/", {"enabled": "on"}).status_code == 302
    assert StandardRevision.objects.latest("changed_at", "id").effective_from == D(2026, 11, 23)


# The policy page: changes and acknowledgement -----------------------------------------------------------------


def test_the_policy_page_lists_each_change_and_the_key_worker_acknowledges_it(world, policy, client_for):
    revision = describe(policy, world)
    key_worker = client_for(world.ta_a)
    page = key_worker.get(f"/policies/{policy.pk}/").content.decode()
    assert "Changes to the standards" in page and "Mon 23 November 2026" in page and "Dev Deputy" in page
    assert "Wording:" in page and "→ Contact each family every week" in page
    assert "1 change to your duties is waiting" in page and "Acknowledge this change" in page
    response = key_worker.post(f"/policies/changes/{revision.pk}/acknowledge/")
    assert response.status_code == 302
    page = key_worker.get(f"/policies/{policy.pk}/").content.decode()
    assert "You have acknowledged it" in page and "Acknowledge this change" not in page
    leader = client_for(world.headteacher).get(f"/policies/{policy.pk}/").content.decode()
    assert "1 of 2" in leader and world.ta_a.user.full_name in leader and world.teacher_b.user.full_name in leader


def test_only_those_asked_acknowledge_and_outsiders_find_nothing(world, policy, client_for):
    revision = describe(policy, world)
    page = client_for(world.teacher_a).post(f"/policies/changes/{revision.pk}/acknowledge/", follow=True)
    assert "does not touch your duties" in page.content.decode()
    assert client_for(world.outsider).post(f"/policies/changes/{revision.pk}/acknowledge/").status_code == 404
    assert client_for(world.ta_a).post("/policies/changes/999999/acknowledge/").status_code == 404
    assert client_for(world.ta_a).get(f"/policies/changes/{revision.pk}/acknowledge/").status_code == 405
    assert not RevisionAcknowledgement.objects.exclude(acknowledged_at=None).exists()


def test_the_policy_page_reads_the_same_queries_whatever_the_number_of_changes(world, policy, client_for):
    client = client_for(world.headteacher)
    describe(policy, world, "One.")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/policies/{policy.pk}/")
    for text in ("Two.", "Three.", "Four."):
        describe(policy, world, text)
    with CaptureQueriesContext(connection) as many:
        assert "Four." in client.get(f"/policies/{policy.pk}/").content.decode()
    assert len(many) == len(one)


# The API ----------------------------------------------------------------------------------------------------


def test_api_patch_takes_a_date_and_refuses_a_bad_one_on_its_field(world, policy):
    s = sch4(policy)
    client = api(world.headteacher)
    for value, words in (("2026-11-02", "cannot take effect before"), ("soon", "as a date")):
        response = client.patch(f"/api/v1/standards/{s.pk}/", {"due_soon_days": 3, "version": 1, "effective_from": value},
                                format="json")
        assert response.status_code == 400 and words in response.json()["errors"]["effective_from"][0]
    response = client.patch(f"/api/v1/standards/{s.pk}/", {"version": 1, "effective_from": "2026-11-30"}, format="json")
    assert response.status_code == 400  # a date alone changes nothing
    response = client.patch(f"/api/v1/standards/{s.pk}/", {"due_soon_days": 3, "version": 1, "effective_from": "2026-11-30"},
                            format="json")
    assert response.status_code == 200
    assert StandardRevision.objects.get().effective_from == D(2026, 11, 30)
    assert api(world.teacher_a).patch(f"/api/v1/standards/{s.pk}/", {"due_soon_days": 4, "version": 2},
                                      format="json").status_code == 403
    assert api(world.outsider).patch(f"/api/v1/standards/{s.pk}/", {"due_soon_days": 4, "version": 2},
                                     format="json").status_code == 404


def test_api_lists_changes_in_words_and_a_key_worker_acknowledges(world, policy):
    revision = describe(policy, world)
    leader = api(world.headteacher).get(f"/api/v1/policies/{policy.pk}/changes/").json()
    (change,) = leader["results"]
    assert change["effective_from"] == "2026-11-23" and change["changed_by_name"] == world.deputy.user.full_name
    assert change["applied_at"] and change["clause"] == "SCH-4"
    assert change["changes"][0]["label"] == "Wording" and change["changes"][0]["after"].startswith("Contact each family")
    assert {a["staff"] for a in change["acknowledgements"]} == {world.ta_a.pk, world.teacher_b.pk}
    mine = api(world.ta_a).get(f"/api/v1/policies/{policy.pk}/changes/").json()["results"][0]
    assert mine["asked_me"] is True and mine["acknowledged_by_me"] is False and mine["acknowledgements"] == []
    url = f"/api/v1/policies/{policy.pk}/changes/{revision.pk}/acknowledge/"
    response = api(world.ta_a).post(url)
    assert response.status_code == 200 and response.json()["acknowledged_by_me"] is True
    assert api(world.teacher_a).post(url).status_code == 400
    assert api(world.outsider).post(url).status_code == 404
    assert api(world.outsider).get(f"/api/v1/policies/{policy.pk}/changes/").status_code == 404
    assert api(world.ta_a).post(f"/api/v1/policies/{policy.pk}/changes/999999/acknowledge/").status_code == 404
