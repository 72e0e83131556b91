"""Subject access packs (a child, a carer) and erasing a carer's personal data, as the data protection officer."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.contacts.services import contact_record
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.dashboard.subject_access import pack_json, subject_access_pack, subject_access_pdf
from keyworker.people.erasure import ERASED, carer_erase
from keyworker.people.models import Carer
from keyworker.testing import carer_account, make_child

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


def _contact(world, **kw):
    values = {"happened_on": TODAY, "channel": "phone", "tone": "positive", "write_up": "Phoned mum about the trip; she was pleased.",
              "children": [world.child_a]}
    values.update(kw)
    return contact_record(actor=world.actor(world.ta_a), family=world.family_a, **values)


def test_a_childs_pack_holds_their_records_and_withholds_safeguarding_words(world):
    _contact(world)
    _contact(world, write_up="Bruising seen at drop-off; the DSL was told at once.", safeguarding_category="neglect")
    sibling = make_child(world.family_a, world.school, world.class_a, legal_first_name="Sibling")
    pack = subject_access_pack(subject=world.child_a, made_by="Helen Head", as_of=TODAY)
    labels = {s.model: s for s in pack.sections}
    assert "people.child" in labels and "people.family" in labels and "contacts.contactlog" in labels
    assert [r[0] for r in labels["people.child"].rows] == [world.child_a.pk]  # not the sibling's own record
    assert sibling.pk not in [r[0] for r in labels["people.child"].rows]
    text = json.dumps(json.loads(pack_json(pack)))
    assert "Bruising" not in text and "(withheld: a safeguarding concern)" in text
    assert ("The words of contacts flagged as a safeguarding concern", 1) in pack.withheld
    assert "Phoned mum about the trip" in text
    assert all("password" not in c.lower() for s in pack.sections for c in s.columns)
    pdf = subject_access_pdf(pack)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_a_pack_takes_the_same_queries_for_2_or_20_contacts(world):
    _contact(world)
    _contact(world)
    with CaptureQueriesContext(connection) as few:
        subject_access_pack(subject=world.child_a, made_by="x", as_of=TODAY)
    for _ in range(18):
        _contact(world)
    with CaptureQueriesContext(connection) as many:
        pack = subject_access_pack(subject=world.child_a, made_by="x", as_of=TODAY)
    assert len({s.model: s for s in pack.sections}["contacts.contactlog"].rows) == 20
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_officer_downloads_a_carers_pack_and_it_is_logged(world, client_for, settings, tmp_path,
                                                             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    carer = world.family_a.carers.first()
    carer_account(carer, "mum@example.org")
    _contact(world, carer=carer)
    client = client_for(world.headteacher)
    page = client.get(f"/families/carers/{carer.pk}/subject-access/")
    assert page.status_code == 200 and "What the pack holds" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the worker prepares it once the request commits
        asked = client.post(f"/families/carers/{carer.pk}/subject-access/")
    assert asked.status_code == 302 and asked["Location"].startswith("/exports/")
    assert AuditEvent.objects.filter(event_type="subject_access.exported").count() == 0  # logged when downloaded
    assert "Download subject-access-" in client.get(asked["Location"]).content.decode()
    response = client.get(f"{asked['Location']}download/")
    assert response["Content-Type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(files.namelist()) == ["subject-access.json", "subject-access.pdf"]
    data = json.loads(files.read("subject-access.json"))
    assert data["subject"] == "carer" and "people.carer" in data["records"] and "accounts.user" in data["records"]
    assert data["records"]["accounts.user"]["rows"][0]["E-mail address"] == "mum@example.org"
    assert AuditEvent.objects.filter(event_type="subject_access.exported").count() == 1
    assert "Subject access pack for" in client.get(f"/families/{world.family_a.pk}/").content.decode()


def test_only_the_data_protection_officer_and_never_another_organisation(world, client_for):
    carer = world.family_a.carers.first()
    for url in (f"/families/children/{world.child_a.pk}/subject-access/", f"/families/carers/{carer.pk}/subject-access/",
                f"/families/carers/{carer.pk}/erase/"):
        assert client_for(world.ta_a).get(url).status_code == 403
        assert client_for(world.outsider).get(url).status_code == 404
    assert "Subject access pack" not in client_for(world.ta_a).get(f"/families/{world.family_a.pk}/").content.decode()


def test_erasing_a_carer_keeps_the_records_and_refuses_the_only_parent(world, client_for):
    first = world.family_a.carers.first()
    second = Carer.objects.create(organisation=world.org, family=world.family_a, first_name="Sam", last_name="Second",
                                  email="sam@example.org", phone="07700 900123", parental_responsibility=True)
    user = carer_account(second, "sam@example.org")
    contact = _contact(world, carer=second)
    client = client_for(world.headteacher)
    answer = client.post(f"/families/carers/{second.pk}/erase/", {"reason": "short"})
    assert answer.status_code == 400 and "Say why" in answer.content.decode()
    done = client.post(f"/families/carers/{second.pk}/erase/",
                       {"reason": "Sam asked by e-mail on 17 November 2026 after moving abroad."}, follow=True)
    assert "personal data was erased" in done.content.decode()
    second.refresh_from_db()
    user.refresh_from_db()
    assert (second.first_name, second.email, second.phone, second.user_id) == (ERASED, "", "", None)
    assert not user.is_active and not user.has_usable_password() and "sam@" not in user.email
    contact.refresh_from_db()
    assert contact.carer_id == second.pk  # the school's record of its work stays
    event = AuditEvent.objects.get(event_type="carer.erased")
    assert "sam@example.org" not in json.dumps(event.data) and event.data["portal_account"] == "closed"
    with pytest.raises(RuleViolation, match="already been erased"):
        carer_erase(actor=world.actor(world.headteacher), carer=second, reason="Asked again on the phone today.")
    with pytest.raises(RuleViolation, match="only carer with parental responsibility"):
        carer_erase(actor=world.actor(world.headteacher), carer=first, reason="Asked by letter on 18 November 2026.")
