"""A contact about an absence: My week's "Record the follow-up" opens the contact form with the absence chosen; the
contact keeps which child and day it follows up, and only such a contact challenges that absence."""

import datetime as dt

import pytest

from keyworker.contacts.models import ContactLog
from keyworker.contacts.services import contact_record
from keyworker.core.errors import RuleViolation
from keyworker.testing import make_child

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)
MON = dt.date(2026, 11, 16)
GOOD = "Phoned mum: Alfie had a temperature and is back tomorrow."


@pytest.fixture(autouse=True)
def _codes(db):
    from keyworker.attendance.codes import codes_load, england_2024
    from keyworker.attendance.models import AttendanceCode

    if AttendanceCode.objects.filter(jurisdiction="england").count() != len(england_2024()):
        codes_load(jurisdiction="england", rows=england_2024())


@pytest.fixture
def absent(world):
    from keyworker.attendance.tests.factories import put

    put(world.child_a, MON, "AM", "N")
    return f"abs{world.child_a.pk}-20261116"


def _post(client, world, **kw):
    data = {"family": world.family_a.pk, "channel": "phone", "tone": "neutral", "write_up": GOOD,
            "direction": "from_school", "happened_on": "2026-11-18", "carer": ""}
    data.update(kw)
    return client.post(f"/contacts/new/?family={world.family_a.pk}", data)


def test_the_follow_up_opens_the_form_with_the_absence_chosen(world, client_for, absent):
    sibling = make_child(world.family_a, world.school, world.class_b, legal_first_name="Ada", legal_last_name="Adams")
    r = client_for(world.ta_a).get("/contacts/new/", {"family": world.family_a.pk, "absence": absent})
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["absence"] == absent and form.initial["children"] == [world.child_a.pk]
    html = r.content.decode()
    assert "Is it about an absence?" in html and "Alfie Adams: unexplained absence on Mon 16 November 2026" in html
    assert "Not about an absence" in html
    assert sibling.pk not in form.initial["children"]


def test_a_family_with_no_absences_is_not_asked(world, client_for):
    html = client_for(world.ta_a).get("/contacts/new/", {"family": world.family_a.pk}).content.decode()
    assert "Is it about an absence?" not in html


def test_saving_keeps_the_absence_it_follows_up(world, client_for, absent):
    r = _post(client_for(world.ta_a), world, absence=absent)
    assert r.status_code == 302
    c = ContactLog.objects.get()
    assert (c.absence_child_id, c.absence_on, c.absence_ref) == (world.child_a.pk, MON, absent)
    assert list(c.children.values_list("id", flat=True)) == [world.child_a.pk]
    html = client_for(world.ta_a).get(f"/contacts/{c.pk}/").content.decode()
    assert "Follows up" in html and "Alfie Adams's unexplained absence on Mon 16 November 2026" in html


def test_a_contact_not_about_the_absence_names_none(world, client_for, absent):
    assert _post(client_for(world.ta_a), world, absence="").status_code == 302
    assert ContactLog.objects.get().absence_child_id is None


@pytest.mark.parametrize(("absence", "date", "message"), [
    ("abs999999-20261116", "2026-11-18", "Choose one of the absences listed"),   # not an absence of this family
    ("<script>", "2026-11-18", "Choose one of the absences listed"),
    (None, "2026-11-13", "dated on or after it"),                                  # a follow-up before the absence
])
def test_a_wrong_absence_says_what_to_do(world, client_for, absent, absence, date, message):
    r = _post(client_for(world.ta_a), world, absence=absence or absent, happened_on=date)
    assert r.status_code == 400
    assert message in r.content.decode() and "<script>" not in r.content.decode()
    assert not ContactLog.objects.exists()


def test_the_service_checks_the_absence(world, absent):
    actor = world.actor(world.ta_a)
    with pytest.raises(RuleViolation) as exc:  # no unexplained absence that day
        contact_record(actor=actor, family=world.family_a, happened_on=TODAY, channel="phone", tone="neutral", write_up=GOOD,
                       absence_child=world.child_a, absence_on=dt.date(2026, 11, 17))
    assert exc.value.field == "absence" and "no unexplained absence" in exc.value.message
    with pytest.raises(RuleViolation) as exc:  # another family's child
        contact_record(actor=actor, family=world.family_a, happened_on=TODAY, channel="phone", tone="neutral", write_up=GOOD,
                       absence_child=world.child_b, absence_on=MON)
    assert exc.value.field == "absence"


def test_log_contact_for_an_earlier_week_asks_for_the_real_date(world, client_for):
    client = client_for(world.ta_a)
    r = client.get("/contacts/new/", {"family": world.family_a.pk, "from": "2026-11-09", "to": "2026-11-15"})
    assert r.context["form"].initial["happened_on"] is None  # never today's date for last week's contact
    assert "For the week of Mon 9 November 2026 to Sun 15 November 2026: record a contact that took place then" in r.content.decode()
    for period in (("2026-11-16", "2026-11-22"), ("not a date", "2026-11-15"), ("2024-01-01", "2024-01-07")):
        r = client.get("/contacts/new/", {"family": world.family_a.pk, "from": period[0], "to": period[1]})
        assert r.status_code == 200 and r.context["form"].initial["happened_on"] == TODAY
        assert "record a contact that took place then" not in r.content.decode()


def test_the_demo_follows_up_most_absences_each_with_its_own_contact(world, absent):
    from keyworker.attendance.tests.factories import put
    from keyworker.contacts.demo import absence_follow_ups_demo

    put(world.child_b, dt.date(2026, 11, 13), "AM", "N")  # a Friday
    put(world.child_a, TODAY, "AM", "N")                   # today's: left for My week
    absence_follow_ups_demo(organisation=world.org, today=TODAY, seed=1)
    logs = list(ContactLog.objects.order_by("absence_on"))
    assert logs, "most absences are followed up"
    for log in logs:
        assert log.absence_on < TODAY and log.happened_on >= log.absence_on and log.happened_on.weekday() < 5
        assert list(log.children.values_list("id", flat=True)) == [log.absence_child_id]
        assert log.family_id == log.absence_child.family_id


def _api(staff):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def test_the_api_records_the_absence_a_contact_follows_up(world, absent):
    body = {"family": world.family_a.pk, "happened_on": "2026-11-18", "channel": "phone", "tone": "neutral", "write_up": GOOD}
    r = _api(world.ta_a).post("/api/v1/contacts/", {**body, "absence": absent}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["absence"] == absent and r.json()["children"] == [world.child_a.pk]
    assert ContactLog.objects.get().absence_on == MON
    for wrong in ("abs999999-20261116", "yesterday", f"abs{world.child_a.pk}-20261117", f"abs{world.child_b.pk}-20261116"):
        r = _api(world.ta_a).post("/api/v1/contacts/", {**body, "absence": wrong}, format="json")
        assert r.status_code == 400 and list(r.json()["errors"]) == ["absence"], (wrong, r.json())
    assert ContactLog.objects.count() == 1
