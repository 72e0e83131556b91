"""API v1: wellbeing concerns (scoped list, raise with per-field errors, follow-ups, signposting, referrals, the
agency's response, close) and the agency directory."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyworker.notifications.models import Notification
from keyworker.wellbeing.models import ConcernStatus, WellbeingConcern

from .helpers import NOTICED, TODAY, follow_up, make_agency, raise_concern

URL = "/api/v1/wellbeing-concerns/"
AGENCIES = "/api/v1/agencies/"


@pytest.fixture
def api():
    def client_for(staff):
        client = APIClient()
        client.force_authenticate(user=staff.user)
        return client

    return client_for


def body(world, **kw):
    data = {"family": world.family_a.pk, "what_noticed": NOTICED, "areas": ["money"], "indicators": ["healthy", "safe"],
            "children": [world.child_a.pk]}
    data.update(kw)
    return data


def test_raise_a_concern(world, api):
    r = api(world.teacher_a).post(URL, body(world), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["family_name"] == "The Adams family" and data["status"] == "open" and data["children"] == [world.child_a.pk]
    assert data["indicators"] == ["safe", "healthy"] and data["noticed_on"] == "2026-11-18" and data["follow_ups"] == []
    assert Notification.objects.filter(kind="wellbeing.concern").count() == 3


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"what_noticed": "Sad."}, "what_noticed", "what_noticed_short"),
    ({"what_noticed": ""}, "what_noticed", "blank"),
    ({"areas": []}, "areas", "empty"),
    ({"areas": ["weather"]}, "areas", "invalid_choice"),
    ({"indicators": []}, "indicators", "empty"),
    ({"noticed_on": "2026-11-19"}, "noticed_on", "future_date"),
    ({"noticed_on": "19/19/2026"}, "noticed_on", "invalid"),
    ({"family": 99999999}, "family", "does_not_exist"),
    ({"children": [999999]}, "children", "does_not_exist"),
])
def test_raise_per_field_errors(world, api, change, field, code):
    r = api(world.ta_a).post(URL, body(world, **change), format="json")
    assert r.status_code == 400
    codes = r.json()["codes"][field]
    flat = str(codes)
    assert code in flat, r.json()
    assert not WellbeingConcern.objects.exists()


def test_a_family_out_of_scope_does_not_exist(world, api):
    r = api(world.teacher_b).post(URL, body(world, children=[]), format="json")
    assert r.status_code == 400 and r.json()["codes"]["family"] == ["does_not_exist"]
    r = api(world.outsider).post(URL, body(world, children=[]), format="json")
    assert r.status_code == 400 and r.json()["codes"]["family"] == ["does_not_exist"]


def test_list_and_retrieve_are_scoped(world, api):
    concern = raise_concern(world, staff=world.teacher_a)
    raise_concern(world, staff=world.teacher_b, family=world.family_b)
    assert [c["family_name"] for c in api(world.ta_a).get(URL).json()["results"]] == ["The Adams family"]
    assert len(api(world.headteacher).get(URL).json()["results"]) == 2
    assert api(world.admin_office).get(URL).json()["results"] == []
    assert api(world.outsider).get(URL).json()["results"] == []
    assert api(world.teacher_b).get(f"{URL}{concern.pk}/").status_code == 404
    assert api(world.outsider).get(f"{URL}{concern.pk}/").status_code == 404
    assert api(world.ta_a).get(f"{URL}{concern.pk}/").json()["what_noticed"] == NOTICED
    assert api(world.headteacher).get(URL, {"indicator": "happy"}).status_code == 400
    assert len(api(world.headteacher).get(URL, {"status": "closed"}).json()["results"]) == 0


def test_follow_ups_signposting_referral_response_and_close(world, api):
    concern = raise_concern(world)
    agency = make_agency(world)
    client = api(world.ta_a)
    r = client.post(f"{URL}{concern.pk}/follow-ups/", {"kind": "family_contact", "note": "Rang."}, format="json")
    assert r.status_code == 400 and r.json()["codes"]["note"] == ["note_short"]
    r = client.post(f"{URL}{concern.pk}/follow-ups/", {"kind": "family_contact", "note": NOTICED}, format="json")
    assert r.status_code == 201 and r.json()["kind_label"] == "Contact with the family"
    r = client.post(f"{URL}{concern.pk}/signpost/", {"agency": agency.pk}, format="json")
    assert r.status_code == 400 and r.json()["codes"]["how"] == ["how"]
    r = client.post(f"{URL}{concern.pk}/signpost/", {"agency": agency.pk, "how": "leaflet", "told_family": True}, format="json")
    assert r.status_code == 201 and r.json()["agency_name"] == "Brookfield Food Bank"
    r = client.post(f"{URL}{concern.pk}/refer/", {"agency": agency.pk, "consent_given": False}, format="json")
    assert r.status_code == 400 and r.json()["codes"]["consent_given"] == ["consent_missing"]
    r = client.post(f"{URL}{concern.pk}/refer/", {"agency": agency.pk, "consent_given": True, "reference": "EH-7",
                                                  "follow_up_on": "2026-12-02"}, format="json")
    assert r.status_code == 201 and r.json()["kind"] == "referral"
    referral = r.json()["id"]
    r = client.post(f"{URL}{concern.pk}/referral-response/", {"follow_up": referral, "response": "accepted"}, format="json")
    assert r.status_code == 200 and r.json()["response"] == "accepted"
    r = client.post(f"{URL}{concern.pk}/close/", {"outcome": "support_in_place", "summary": "Short."}, format="json")
    assert r.status_code == 400 and r.json()["codes"]["summary"] == ["summary_short"]
    r = client.post(f"{URL}{concern.pk}/close/", {"outcome": "support_in_place",
                                                  "summary": "Early help are working with the family now."}, format="json")
    assert r.status_code == 200 and r.json()["status"] == ConcernStatus.CLOSED and len(r.json()["follow_ups"]) == 3


def test_foreign_agency_and_scope_on_actions(world, api):
    concern = raise_concern(world)
    from keyworker.wellbeing.models import Agency

    foreign = Agency.objects.create(organisation=world.other_org, name="Elsewhere", service="Help", phone="01632 960999")
    r = api(world.ta_a).post(f"{URL}{concern.pk}/signpost/", {"agency": foreign.pk, "how": "phone"}, format="json")
    assert r.status_code == 400 and r.json()["codes"]["agency"] == ["does_not_exist"]
    r = api(world.teacher_b).post(f"{URL}{concern.pk}/follow-ups/", {"kind": "family_contact", "note": NOTICED}, format="json")
    assert r.status_code == 404
    r = api(world.teacher_a).post(f"{URL}{concern.pk}/close/", {"outcome": "resolved", "summary": NOTICED}, format="json")
    assert r.status_code == 404
    raised = raise_concern(world, staff=world.teacher_a)
    r = api(world.teacher_a).post(f"{URL}{raised.pk}/close/", {"outcome": "resolved", "summary": NOTICED}, format="json")
    assert r.status_code == 403


def test_agencies_are_read_by_the_organisation(world, api):
    make_agency(world)
    make_agency(world, "Northgate Young Carers", service="Young carers' groups", areas=["caring"], area_covered="Northgate")
    make_agency(world, "Retired", service="Gone", is_active=False)
    names = [a["name"] for a in api(world.teacher_b).get(AGENCIES).json()["results"]]
    assert names == ["Brookfield Food Bank", "Northgate Young Carers"]
    assert [a["name"] for a in api(world.ta_a).get(AGENCIES, {"area": "caring"}).json()["results"]] == ["Northgate Young Carers"]
    assert [a["name"] for a in api(world.ta_a).get(AGENCIES, {"search": "food"}).json()["results"]] == ["Brookfield Food Bank"]
    assert len(api(world.ta_a).get(AGENCIES, {"include_retired": "true"}).json()["results"]) == 3
    assert api(world.ta_a).get(AGENCIES, {"area": "weather"}).status_code == 400
    assert api(world.outsider).get(AGENCIES).json()["results"] == []


def test_list_uses_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    agency = make_agency(world)
    concern = raise_concern(world)
    follow_up(world, concern)
    client = api(world.headteacher)
    with django_assert_max_num_queries(12) as one:
        client.get(URL)
    for _ in range(19):
        c = raise_concern(world, staff=world.headteacher)
        follow_up(world, c, staff=world.headteacher, kind="referral", agency=agency, consent_given=True,
                  follow_up_on=TODAY + dt.timedelta(days=3))
    with django_assert_max_num_queries(12) as twenty:
        assert len(client.get(URL).json()["results"]) == 20
    assert len(one.captured_queries) == len(twenty.captured_queries)
