"""No lost edits on children, key aspects, families and carers: two people open the same record, both save; the
second sees who saved in between, their values against theirs, keeps their input, and saves again knowingly."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from keyworker.core.models import AuditEvent
from keyworker.core.testing import as_opened
from keyworker.people.forms import CarerForm, ChildForm, FamilyForm, KeyAspectsForm
from keyworker.people.models import Carer, Child, Family, KeyAspectChange, KeyAspects

pytestmark = pytest.mark.django_db


def _page(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def _version_on(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _updates(obj) -> int:
    return AuditEvent.objects.filter(object_type=type(obj).__name__, object_id=obj.pk, event_type__endswith=".updated").count()


# Pages -----------------------------------------------------------------------------------------------------


def test_child_edit_second_save_shows_the_conflict_and_loses_nothing(world):
    child, url = world.child_a, f"/families/children/{world.child_a.pk}/edit/"
    head, admin = _page(world.headteacher), _page(world.admin_office)
    assert 'name="version" value="1"' in admin.get(url).content.decode()
    opened = as_opened(ChildForm(instance=child, organisation=world.org))  # both open the page at version 1

    assert head.post(url, {**opened, "preferred_name": "Alf"}).status_code == 302
    r = admin.post(url, {**opened, "year_group": "Year 4"})

    assert r.status_code == 409
    html = r.content.decode()
    assert "Helen Head saved this" in html and "This record changed while you were editing" in html
    assert "<th scope=\"row\">Preferred name</th><td>Alf</td><td>–</td>" in html  # theirs against yours
    assert "<th scope=\"row\">Year group</th><td>–</td><td>Year 4</td>" in html
    assert 'value="Year 4"' in html and _version_on(html) == "2"  # their input stays, now on the saved version
    child.refresh_from_db()
    assert (child.preferred_name, child.year_group, child.version) == ("Alf", "", 2)
    assert _updates(child) == 1  # no history for the refused save

    # Saving the form as shown overwrites knowingly.
    r = admin.post(url, {**opened, "year_group": "Year 4", "version": _version_on(html)})
    assert r.status_code == 302
    child.refresh_from_db()
    assert (child.preferred_name, child.year_group, child.version) == ("", "Year 4", 3)


def test_key_aspects_second_save_shows_both_values_and_one_change_in_history(world):
    child, url = world.child_a, f"/families/children/{world.child_a.pk}/key-aspects/"
    ta, teacher = _page(world.ta_a), _page(world.teacher_a)
    opened = as_opened(KeyAspectsForm(instance=KeyAspects.objects.get(child=child)))

    assert ta.post(url, {**opened, "allergies": "Peanuts (EpiPen in class)"}).status_code == 302
    r = teacher.post(url, {**opened, "allergies": "None known"})

    assert r.status_code == 409
    html = r.content.decode()
    assert "Kim Keyworker saved this at 10:30 on 18/11/2026" in html
    assert "<td>Peanuts (EpiPen in class)</td><td>None known</td>" in html
    assert KeyAspects.objects.get(child=child).allergies == "Peanuts (EpiPen in class)"
    assert KeyAspectChange.objects.filter(child=child).count() == 1

    r = teacher.post(url, {**opened, "allergies": "None known", "version": _version_on(html)})
    assert r.status_code == 302
    assert [c.after for c in KeyAspectChange.objects.filter(child=child)] == ["None known", "Peanuts (EpiPen in class)"]


def test_family_edit_second_save_conflicts(world):
    family, url = world.family_a, f"/families/{world.family_a.pk}/edit/"
    opened = as_opened(FamilyForm(instance=family))
    assert _page(world.headteacher).post(url, {**opened, "address": "1 Ash Lane"}).status_code == 302
    r = _page(world.admin_office).post(url, {**opened, "name": "The Adams-Smith family"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "Helen Head saved this" in html and "<td>1 Ash Lane</td><td>–</td>" in html
    family.refresh_from_db()
    assert (family.name, family.address) == ("The Adams family", "1 Ash Lane") and _updates(family) == 1
    assert _page(world.admin_office).post(url, {**opened, "name": "The Adams-Smith family",
                                                 "version": _version_on(html)}).status_code == 302
    family.refresh_from_db()
    assert family.name == "The Adams-Smith family"


def test_carer_edit_second_save_conflicts(world):
    carer = world.family_a.carers.first()
    url = f"/families/carers/{carer.pk}/edit/"
    opened = as_opened(CarerForm(instance=carer))
    assert _page(world.headteacher).post(url, {**opened, "phone": "07700 900123"}).status_code == 302
    r = _page(world.admin_office).post(url, {**opened, "preferred_contact_method": "email", "email": "mum@example.org"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "<th scope=\"row\">Preferred contact method</th><td>Phone call</td><td>E-mail</td>" in html
    carer.refresh_from_db()
    assert (carer.phone, carer.preferred_contact_method) == ("07700 900123", "phone") and _updates(carer) == 1


def test_an_edit_form_without_its_version_is_refused_not_saved(world):
    child = world.child_a
    opened = as_opened(ChildForm(instance=child, organisation=world.org))
    del opened["version"]
    r = _page(world.headteacher).post(f"/families/children/{child.pk}/edit/", {**opened, "year_group": "Year 9"})
    assert r.status_code == 400 and "This page is out of date" in r.content.decode()
    child.refresh_from_db()
    assert child.year_group == ""


def test_conflict_pages_stay_out_of_reach_of_outsiders(world):
    assert _page(world.outsider).post(f"/families/children/{world.child_a.pk}/edit/", {"version": 1}).status_code == 404
    assert _page(world.outsider).post(f"/families/{world.family_a.pk}/edit/", {"version": 1}).status_code == 404


# API -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "persona", "mine", "theirs", "field"), [
    ("children/{child}/", "headteacher", {"preferred_name": "Alf"}, {"year_group": "Year 4"}, "preferred_name"),
    ("families/{family}/", "headteacher", {"address": "1 Ash Lane"}, {"name": "The A family"}, "address"),
    ("carers/{carer}/", "headteacher", {"phone": "07700 900123"}, {"first_language": "Polish"}, "phone"),
    ("children/{child}/key-aspects/", "ta_a", {"allergies": "Peanuts"}, {"allergies": "None"}, "allergies"),
])
def test_api_second_edit_from_the_same_version_is_409_and_saves_nothing(world, path, persona, mine, theirs, field):
    carer = world.family_a.carers.first()
    url = "/api/v1/" + path.format(child=world.child_a.pk, family=world.family_a.pk, carer=carer.pk)
    first, second = _api(getattr(world, persona)), _api(world.admin_office)
    version = first.get(url).json()["version"]
    assert version == 1

    r = first.patch(url, {**mine, "version": version}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 2
    r = second.patch(url, {**theirs, "version": version}, format="json")

    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "conflict" and body["current"][field] == mine[field] and body["current"]["version"] == 2
    assert body["changed_by"] == getattr(world, persona).user.full_name
    assert second.get(url).json()[field] == mine[field]  # nothing of the first save is lost
    audit = AuditEvent.objects.filter(event_type__endswith=".updated").count()
    changes = KeyAspectChange.objects.count()
    # Exactly one save in the history (key aspects are in both their change log and the audit log).
    assert audit <= 1 and changes <= 1 and audit + changes >= 1

    r = second.patch(url, {**theirs, "version": body["current"]["version"]}, format="json")
    assert r.status_code == 200 and r.json()["version"] == 3


@pytest.mark.parametrize("path", ["children/{child}/", "families/{family}/", "children/{child}/key-aspects/"])
def test_api_edit_without_a_version_is_a_field_error(world, path):
    url = "/api/v1/" + path.format(child=world.child_a.pk, family=world.family_a.pk)
    r = _api(world.headteacher).patch(url, {"address": "x", "allergies": "x"}, format="json")
    assert r.status_code == 400 and "version" in r.json()["errors"]
    assert Child.objects.get(pk=world.child_a.pk).version == 1 and Family.objects.get(pk=world.family_a.pk).version == 1


def test_api_put_needs_the_version_too(world):
    carer = world.family_a.carers.first()
    body = {"family": world.family_a.pk, "first_name": "Ann", "last_name": "Adams", "phone": "0"}
    r = _api(world.headteacher).put(f"/api/v1/carers/{carer.pk}/", body, format="json")
    assert r.status_code == 400 and "version" in r.json()["errors"]
    r = _api(world.headteacher).put(f"/api/v1/carers/{carer.pk}/", {**body, "version": 1}, format="json")
    assert r.status_code == 200 and Carer.objects.get(pk=carer.pk).first_name == "Ann"


def test_api_conflict_is_404_for_an_outsider(world):
    r = _api(world.outsider).patch(f"/api/v1/children/{world.child_a.pk}/", {"year_group": "x", "version": 1}, format="json")
    assert r.status_code == 404


# At the same moment ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_wins_one_is_told(world):
    """Two requests from version 1 at once, each in its own connection: exactly one saves (the UPDATE … WHERE
    version = 1 lets one through), the other gets the conflict; SQLite runs them one after the other."""
    import threading

    from django.db import connection, connections

    from keyworker.core.conflicts import EditConflict
    from keyworker.people.services import child_update

    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections at once (PostgreSQL)")
    start, outcomes = threading.Barrier(2), []

    def save(staff, name):
        try:
            start.wait()
            child = Child.objects.get(pk=world.child_a.pk)
            child_update(actor=world.actor(staff), child=child, preferred_name=name, expected_version=1)
            outcomes.append(("saved", name))
        except EditConflict as exc:
            outcomes.append(("conflict", exc.changed_by))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(world.headteacher, "Alf")),
               threading.Thread(target=save, args=(world.admin_office, "Alfred"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcomes) == ["conflict", "saved"]
    child = Child.objects.get(pk=world.child_a.pk)
    assert child.version == 2 and child.preferred_name == next(name for kind, name in outcomes if kind == "saved")
    assert AuditEvent.objects.filter(object_type="Child", event_type="child.updated").count() == 1


def test_an_edit_from_the_page_records_each_changed_value_before_and_after(world):
    """The child's and the family's history says what changed, as the carer's does: the values saved before, then
    the ones typed (the page's form puts them on the record before the service reads it)."""
    child, family = world.child_a, world.family_a
    head = _page(world.headteacher)
    opened = as_opened(ChildForm(instance=child, organisation=world.org))
    assert head.post(f"/families/children/{child.pk}/edit/", {**opened, "preferred_name": "Alf"}).status_code == 302
    event = AuditEvent.objects.get(event_type="child.updated", object_id=child.pk)
    assert event.data == {"before": {"preferred_name": child.preferred_name}, "after": {"preferred_name": "Alf"}}

    opened = as_opened(FamilyForm(instance=family))
    assert head.post(f"/families/{family.pk}/edit/", {**opened, "name": "The Adams-Baker family"}).status_code == 302
    event = AuditEvent.objects.get(event_type="family.updated", object_id=family.pk)
    assert event.data == {"before": {"name": family.name}, "after": {"name": "The Adams-Baker family"}}
