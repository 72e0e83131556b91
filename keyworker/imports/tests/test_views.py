"""Import pages end to end with the test client; who may use them; no server error whatever is uploaded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyworker.imports import services
from keyworker.imports.models import ImportJob, ImportStatus
from keyworker.organisations.models import Setting
from keyworker.people.models import Carer, Child, Family

from .conftest import sample

pytestmark = pytest.mark.django_db


def post_file(client, world, name, data, kind="children", content_type="text/csv"):
    return client.post(reverse("imports:start"), {
        "kind": kind, "setting": world.school.pk, "file": SimpleUploadedFile(name, data, content_type=content_type),
    })


def mapping_post(job, **changes):
    data = {key: str(col) for key, col in job.mapping.items()}
    data.update(changes)
    return data


def test_the_whole_flow(world, client_for):
    client = client_for(world.admin_office)
    page = client.get(reverse("imports:start"))
    assert page.status_code == 200 and b"Import from your MIS" in page.content
    assert b"Test Primary" in page.content

    response = post_file(client, world, "children_good.csv", sample("children_good.csv"))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:mapping", args=[job.pk])
    assert job.uploaded_by == world.admin_office.user and job.status == ImportStatus.UPLOADED

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Legal first name" in html and "Required" in html
    assert '<option value="0" selected>A: Legal Forename (e.g. Chidi)</option>' in html

    response = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    assert response.status_code == 302 and response.url == reverse("imports:preview", args=[job.pk])

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "No errors" in html and "Import 20 children" in html
    assert "The check letter should be" in html and "Chidi Okafor" in html and "The Patel family" in html

    before = Child.objects.count()
    response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("imports:result", args=[job.pk])
    assert Child.objects.count() == before + 20

    page = client.get(response.url)
    html = page.content.decode()
    assert "Imported 20 children in 14 families with 21 carers; 3 warnings." in html
    assert "/families/all/" in html

    page = client.get(reverse("imports:start"))
    assert b"children_good.csv" in page.content and 'icons.svg#check"></use></svg> Imported' in page.content.decode()
    assert client.get(reverse("imports:job", args=[job.pk])).url == reverse("imports:result", args=[job.pk])


def test_a_file_with_errors_shows_every_bad_row_and_no_confirm_button(world, client_for):
    client = client_for(world.headteacher)
    post_file(client, world, "children_bad.csv", sample("children_bad.csv"))
    job = ImportJob.objects.get()
    response = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job), follow=True)
    html = response.content.decode()
    assert "Nothing can be imported yet" in html
    assert "confirm" not in html.split("Rows with problems")[0].lower().replace("confirmed", "")
    assert "“Willow” is not a class at Test Primary" in html and "Surname is missing." in html
    for line in range(3, 16):
        assert f'<td class="num">{line}</td>' in html
    before = (Family.objects.count(), Carer.objects.count(), Child.objects.count())
    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "cannot start" in response.content.decode()
    assert (Family.objects.count(), Carer.objects.count(), Child.objects.count()) == before


def test_staff_flow_with_xlsx_of_children_too(world, client_for):
    client = client_for(world.headteacher)  # the file gives safeguarding roles
    post_file(client, world, "staff.csv", sample("staff.csv"), kind="staff")
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "Imported 5 staff members." in response.content.decode()

    post_file(client, world, "children_good.xlsx", sample("children_good.xlsx"),
              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    job = ImportJob.objects.latest("id")
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "Imported 20 children" in response.content.decode()


def test_progress_page_shows_progress_and_answers_its_script(world, client_for, monkeypatch):
    client = client_for(world.admin_office)
    post_file(client, world, "children_good.csv", sample("children_good.csv"))
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 10)
    monkeypatch.setattr(services, "launch_in_background", lambda job_id, actor: None)
    response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response.url == reverse("imports:progress", args=[job.pk])
    ImportJob.objects.filter(pk=job.pk).update(progress=5)
    page = client.get(response.url)
    html = page.content.decode()
    # No timed refresh (WCAG 2.2.1): a button without script, an in-place update with it.
    assert "Refresh" not in page and "http-equiv" not in html
    assert 'max="20" value="5"' in html and "5 of 20 rows done (25%)" in html and "Check progress" in html
    status = client.get(response.url + "?format=json").json()
    assert status == {"done": 5, "total": 20, "finished": False, "next": None, "text": "5 of 20 rows done (25%)."}
    services.import_run_claimed(job.pk, None)
    assert client.get(response.url + "?format=json").json()["next"] == reverse("imports:result", args=[job.pk])
    assert client.get(response.url).url == reverse("imports:result", args=[job.pk])


def test_people_without_the_import_right_get_403(world, client_for):
    client = client_for(world.ta_a)
    assert client.get(reverse("imports:start")).status_code == 403
    assert post_file(client, world, "children_good.csv", sample("children_good.csv")).status_code == 403
    job = services.import_upload(actor=None, setting=world.school, kind="children", name="a.csv",
                                 data=sample("children_good.csv"))
    for name in ("job", "mapping", "preview", "progress", "result"):
        assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 403
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 403


def test_an_import_of_another_organisation_is_404(world, client_for):
    job = services.import_upload(actor=None, setting=world.school, kind="children", name="a.csv",
                                 data=sample("children_good.csv"))
    client = client_for(world.outsider)
    for name in ("job", "mapping", "preview", "progress", "result"):
        assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:mapping", args=[job.pk]), {"legal_first_name": "0"}).status_code == 404
    assert b"a.csv" not in client.get(reverse("imports:start")).content


def test_only_the_actors_settings_are_offered(world, client_for):
    client = client_for(world.admin_office)
    other = Setting.objects.get(organisation=world.other_org)
    response = client.post(reverse("imports:start"), {
        "kind": "children", "setting": other.pk, "file": SimpleUploadedFile("a.csv", sample("children_good.csv")),
    })
    assert response.status_code == 400 and not ImportJob.objects.exists()
    assert b"Other Primary" not in client.get(reverse("imports:start")).content


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.csv", b"", "The submitted file is empty."),
    ("binary.csv", bytes(range(256)) * 8, "binary data"),
    ("photo.jpg", b"\xff\xd8\xff\xe0JFIF", "Choose a CSV file (.csv) or an Excel workbook (.xlsx)."),
    ("headers.csv", b"Forename,Surname,DOB\n", "column headings but no rows of data"),
    ("fake.xlsx", b"Forename,Surname\nAmy,Smith\n", "not an Excel workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file"),
])
def test_garbage_uploads_are_refused_with_a_reason(world, client_for, name, data, message):
    response = post_file(client_for(world.admin_office), world, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_latin1_and_bom_files_are_read(world, client_for):
    client = client_for(world.admin_office)
    latin = "Forename;Surname;DOB;Class\nZoë;Brontë;01/02/2019;Ash\n".encode("cp1252")
    bom = "\ufeffForename,Surname,DOB,Class\nAmy,Smith,01/02/2019,Ash\n".encode()
    for name, data in (("latin.csv", latin), ("bom.csv", bom)):
        response = post_file(client, world, name, data)
        job = ImportJob.objects.latest("id")
        assert response.status_code == 302
        assert job.mapping == {"legal_first_name": 0, "legal_last_name": 1, "date_of_birth": 2, "group": 3}
        response = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
        assert response.status_code == 302
        client.post(reverse("imports:confirm", args=[job.pk]))
    assert Child.objects.filter(legal_first_name="Zoë", legal_last_name="Brontë").exists()
    assert Child.objects.filter(legal_first_name="Amy").exists()


def test_a_mapping_naming_a_column_the_file_lacks(world, client_for):
    client = client_for(world.admin_office)
    post_file(client, world, "children_good.csv", sample("children_good.csv"))
    job = ImportJob.objects.get()
    for bad in ("99", "-1", "Forename", "1.5"):
        response = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job, upn=bad))
        assert response.status_code == 400 and "Choose one of the file&#x27;s columns." in response.content.decode()
    response = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job, date_of_birth=""))
    assert response.status_code == 400 and "Choose the column that holds the date of birth." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_a_wrong_mapping_can_be_changed_after_the_check(world, client_for):
    client = client_for(world.admin_office)
    post_file(client, world, "children_good.csv", sample("children_good.csv"))
    job = ImportJob.objects.get()
    # Admission date read as the date of birth: every child would be born after starting school.
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job, enrolled_on=str(job.mapping["date_of_birth"]),
                                                                       date_of_birth=str(job.mapping["enrolled_on"])))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job, enrolled_on="8", date_of_birth="3"))
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED


def test_done_imports_cannot_be_remapped_or_rerun(world, client_for):
    client = client_for(world.headteacher)  # the file gives safeguarding roles
    post_file(client, world, "staff.csv", sample("staff.csv"), kind="staff")
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert client.get(reverse("imports:mapping", args=[job.pk])).url == reverse("imports:result", args=[job.pk])
    assert client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job)).status_code == 302
    response = client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "cannot start" in response.content.decode()
    assert client.get(reverse("imports:confirm", args=[job.pk])).status_code == 405


def test_an_import_stopped_by_a_restart_can_be_run_again_from_the_file_uploaded_again(world, client_for, monkeypatch):
    import datetime as dt

    client = client_for(world.admin_office)
    post_file(client, world, "children_good.csv", sample("children_good.csv"))
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 10)
    monkeypatch.setattr(services, "launch_in_background", lambda job_id, actor: None)  # the process dies
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert client.get(reverse("imports:progress", args=[job.pk])).status_code == 200
    job.refresh_from_db()
    ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at - dt.timedelta(minutes=31))
    response = client.get(reverse("imports:progress", args=[job.pk]), follow=True)
    assert "The import stopped before it finished, and nothing was imported. Upload the file again to retry." in (
        response.content.decode())
    # The import has ended, so its file is gone: checking it again says to upload it again, which works.
    response = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    assert response.status_code == 400 and "no longer kept" in response.content.decode()
    monkeypatch.setattr(services, "BACKGROUND_FROM_ROWS", 1000)
    post_file(client, world, "children_good.csv", sample("children_good.csv"))
    again = ImportJob.objects.exclude(pk=job.pk).get()
    client.post(reverse("imports:mapping", args=[again.pk]), mapping_post(again))
    response = client.post(reverse("imports:confirm", args=[again.pk]), follow=True)
    assert "Imported 20 children" in response.content.decode()
