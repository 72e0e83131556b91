"""Common transfer file pages with the test client: upload, preview, import; a leaver's CTF from the child's page;
who may (the office and leaders), outsiders 404; bad files a message on the field; a fixed number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.imports.ctf_reading import read_ctf
from keyworker.imports.ctf_services import ctf_upload
from keyworker.imports.models import CtfImport, CtfImportStatus
from keyworker.people.models import Carer, Child

from .test_ctf_import import ctf

pytestmark = pytest.mark.django_db


def upload(client, world, name, data=None):
    return client.post(reverse("imports:ctf_start"), {
        "setting": world.school.pk,
        "file": SimpleUploadedFile(name, ctf(name) if data is None else data, content_type="application/xml"),
    })


def test_upload_preview_and_import(world, client_for):
    client = client_for(world.admin_office)
    page = client.get(reverse("imports:ctf_start"))
    assert page.status_code == 200 and "Import a common transfer file" in page.content.decode()
    assert "common transfer file (CTF)" in client.get(reverse("imports:start")).content.decode()
    response = upload(client, world, "transfer_full.xml")
    done = CtfImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:ctf_preview", args=[done.pk])
    html = client.get(response.url).content.decode()
    assert "Check before importing" in html and "Larkfield Primary" in html and "Zofia Kowalska" in html
    assert "Court order" in html and "In the file, not kept" in html and "Assessment results" in html
    assert "check letter should be A" in html and "Import 3 pupils" in html
    before = Child.objects.count()
    response = client.post(reverse("imports:ctf_confirm", args=[done.pk]))
    assert response.status_code == 302 and Child.objects.count() == before + 3
    html = client.get(response.url).content.decode()
    assert "Imported on" in html and "3 new children" in html
    assert "Import 3 pupils" not in html
    only = client.get(response.url + "?show=problems").content.decode()
    assert "Show every pupil" in only and "Jan Kowalski" in only


@pytest.mark.parametrize(("name", "message"), [
    ("malformed.xml", "not a readable XML file"),
    ("billion_laughs.xml", "declares a DTD or XML entities"),
    ("external_entity.xml", "declares a DTD or XML entities"),
    ("not_a_ctf.xml", "not a Common Transfer File"),
    ("windows_1252_as_utf8.xml", "says it is UTF-8"),
])
def test_a_bad_file_is_a_message_on_the_file_field(world, client_for, name, message):
    response = upload(client_for(world.admin_office), world, name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not CtfImport.objects.exists()


def test_not_xml_and_empty_are_messages_too(world, client_for):
    client = client_for(world.admin_office)
    response = upload(client, world, "pupils.csv", b"UPN,Surname\n")
    assert response.status_code == 400 and "an .xml file" in response.content.decode()
    response = upload(client, world, "empty.xml", b"   ")
    assert response.status_code == 400


def test_who_may_use_the_pages(world, client_for):
    done = ctf_upload(actor=world.actor(world.admin_office), setting=world.school, name="t.xml",
                      data=ctf("transfer_full.xml"))
    preview = reverse("imports:ctf_preview", args=[done.pk])
    assert client_for(world.headteacher).get(preview).status_code == 200
    for staff in (world.ta_a, world.teacher_a):
        client = client_for(staff)
        assert client.get(reverse("imports:ctf_start")).status_code == 403
        assert client.get(preview).status_code == 403
        assert client.post(reverse("imports:ctf_confirm", args=[done.pk])).status_code == 403
    outsider = client_for(world.outsider)
    assert outsider.get(preview).status_code == 404
    assert outsider.post(reverse("imports:ctf_confirm", args=[done.pk])).status_code == 404
    done.refresh_from_db()
    assert done.status == CtfImportStatus.CHECKED


def test_a_leavers_ctf_from_the_childs_page(world, client_for):
    client = client_for(world.admin_office)
    page = client.get(reverse("people:child", args=[world.child_a.pk])).content.decode()
    url = reverse("imports:ctf_export", args=[world.child_a.pk])
    assert url in page and "Common transfer file" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert read_ctf(response.content).pupils[0].first_name == "Alfie"
    key_worker = client_for(world.ta_a)
    assert url not in key_worker.get(reverse("people:child", args=[world.child_a.pk])).content.decode()
    assert key_worker.get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    other_child = Child.objects.get(organisation=world.other_org)
    client = client_for(world.admin_office)  # the one test client, signed in again
    assert client.get(reverse("imports:ctf_export", args=[other_child.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _file(n: int) -> bytes:
    pupils = "".join(
        f"<Pupil><UPN></UPN><Surname>Pupil{i}</Surname><Forename>Test</Forename><DOB>2016-01-01</DOB>"
        f"<Contacts><Contact><Order>1</Order><Surname>Carer{i}</Surname><Forename>Pat</Forename>"
        f"<Relationship>PAM</Relationship><Responsibility>true</Responsibility></Contact></Contacts></Pupil>"
        for i in range(n))
    return (f"<?xml version='1.0' encoding='utf-8'?><CTfile><Header><CTFversion>19.0</CTFversion></Header>"
            f"<CTFpupilData>{pupils}</CTFpupilData></CTfile>").encode()


def test_pages_use_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.admin_office)
    actor = world.actor(world.admin_office)
    small = ctf_upload(actor=actor, setting=world.school, name="s.xml", data=_file(3))
    large = ctf_upload(actor=actor, setting=world.school, name="l.xml", data=_file(30))
    preview = _queries(client, reverse("imports:ctf_preview", args=[small.pk]))
    assert _queries(client, reverse("imports:ctf_preview", args=[large.pk])) == preview
    start = _queries(client, reverse("imports:ctf_start"))
    for n in range(10):
        ctf_upload(actor=actor, setting=world.school, name=f"{n}.xml", data=_file(2))
    assert _queries(client, reverse("imports:ctf_start")) == start
    child = world.child_a
    export = _queries(client, reverse("imports:ctf_export", args=[child.pk]))
    for n in range(10):
        Carer.objects.create(organisation=world.org, family=child.family, first_name=f"C{n}", last_name="X")
    assert _queries(client, reverse("imports:ctf_export", args=[child.pk])) == export


def test_the_plan_uses_a_fixed_number_of_queries(world):
    actor = world.actor(world.admin_office)
    ctf_upload(actor=actor, setting=world.school, name="t.xml", data=ctf("transfer_full.xml"))
    with CaptureQueriesContext(connection) as small:
        ctf_upload(actor=actor, setting=world.school, name="s.xml", data=_file(3))
    with CaptureQueriesContext(connection) as large:
        ctf_upload(actor=actor, setting=world.school, name="l.xml", data=_file(30))
    assert len(small) == len(large)
