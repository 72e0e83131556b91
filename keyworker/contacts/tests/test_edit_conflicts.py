"""No lost edits on contact logs: the author edits in two places (a tablet and a laptop); the second save sees the
first, keeps its input and saves again knowingly; every edit keeps the previous text as a revision."""

import datetime as dt
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from keyworker.contacts.forms import ContactForm, initial_for
from keyworker.contacts.models import ContactLog, ContactLogRevision
from keyworker.contacts.services import contact_edit, contact_record
from keyworker.core.conflicts import EditConflict
from keyworker.core.models import AuditEvent
from keyworker.core.testing import as_opened

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)
GOOD = "Phoned mum about the school trip and she was pleased."


def _record(world) -> ContactLog:
    return contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=TODAY, channel="phone",
                          tone="positive", write_up=GOOD)


def _opened(contact: ContactLog) -> dict:
    children = list(contact.family.children.all())
    return as_opened(ContactForm(initial=initial_for(contact), carers=list(contact.family.carers.all()), children=children,
                                 today=TODAY, editing=True))


def _edits(contact) -> int:
    return AuditEvent.objects.filter(object_type="ContactLog", object_id=contact.pk, event_type="contact.edited").count()


def test_second_save_of_a_contact_shows_the_conflict_and_keeps_the_first(world):
    contact = _record(world)
    url = f"/contacts/{contact.pk}/edit/"
    tablet, laptop = Client(), Client()
    tablet.force_login(world.ta_a.user)
    laptop.force_login(world.ta_a.user)
    opened = _opened(contact)

    assert tablet.post(url, {**opened, "tone": "neutral"}).status_code == 302
    r = laptop.post(url, {**opened, "write_up": "Phoned mum: the trip is on Friday and she will pay online."})

    assert r.status_code == 409
    html = r.content.decode()
    assert "Kim Keyworker saved this" in html
    assert '<th scope="row">Tone</th><td>Neutral</td><td>Positive</td>' in html
    assert f"<td>{GOOD}</td><td>Phoned mum: the trip is on Friday and she will pay online.</td>" in html
    assert "she will pay online.</textarea>" in html  # what they typed is still on the form
    contact.refresh_from_db()
    assert (contact.tone, contact.write_up, contact.version) == ("neutral", GOOD, 2)
    assert _edits(contact) == 1 and ContactLogRevision.objects.filter(contact=contact).count() == 1

    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    r = laptop.post(url, {**opened, "write_up": "Phoned mum: the trip is on Friday and she will pay online.",
                          "version": version})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.write_up.endswith("pay online.") and contact.version == 3


def test_every_edit_keeps_the_previous_text_shown_on_the_contact_page(world, client_for, clock):
    contact = _record(world)
    clock.shift(dt.timedelta(minutes=5))  # long before the 24 hours after which only an edit used to keep it
    contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                 write_up="Phoned mum about the trip and the lunch money.", expected_version=1)
    contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                 write_up="Phoned mum about the trip, the lunch money and the coat.", expected_version=2)
    texts = [r.previous["write_up"] for r in ContactLogRevision.objects.filter(contact=contact)]
    assert texts == ["Phoned mum about the trip and the lunch money.", GOOD]
    html = client_for(world.ta_a).get(f"/contacts/{contact.pk}/").content.decode()
    assert "Earlier versions" in html and GOOD in html and "Phoned mum about the trip and the lunch money." in html


def test_service_refuses_an_edit_from_an_old_version_and_writes_nothing(world):
    contact = _record(world)
    contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                 write_up=GOOD, expected_version=1)
    with pytest.raises(EditConflict) as caught:
        contact_edit(actor=world.actor(world.ta_a), contact=ContactLog.objects.get(pk=contact.pk), happened_on=TODAY,
                     channel="email", tone="concern", write_up=GOOD, expected_version=1)
    assert caught.value.changed_by == "Kim Keyworker" and caught.value.record.tone == "neutral"
    assert ContactLogRevision.objects.count() == 1 and _edits(contact) == 1


def test_api_second_edit_from_the_same_version_is_409(world):
    contact = _record(world)
    api = APIClient()
    api.force_authenticate(user=world.ta_a.user)
    url = f"/api/v1/contacts/{contact.pk}/"
    version = api.get(url).json()["version"]
    assert api.patch(url, {"tone": "neutral", "version": version}, format="json").status_code == 200
    r = api.patch(url, {"tone": "concern", "version": version}, format="json")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "conflict" and body["current"]["tone"] == "neutral" and body["current"]["version"] == 2
    assert ContactLog.objects.get(pk=contact.pk).tone == "neutral" and _edits(contact) == 1
    r = api.patch(url, {"tone": "concern", "version": 2}, format="json")
    assert r.status_code == 200 and r.json()["tone"] == "concern"
    r = api.patch(url, {"tone": "positive"}, format="json")
    assert r.status_code == 400 and "version" in r.json()["errors"]


def test_outsider_and_other_staff_still_cannot_edit(world):
    contact = _record(world)
    outsider = APIClient()
    outsider.force_authenticate(user=world.outsider.user)
    assert outsider.patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral", "version": 1}, format="json").status_code == 404
    head = APIClient()
    head.force_authenticate(user=world.headteacher.user)
    assert head.patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral", "version": 1}, format="json").status_code == 403
