"""Data check pages per persona: progress, corrections queue, my checks, the carer's confirmation form, one check;
outsiders get 404, staff without the capability 403; the lists take a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.core.audit import AuditEvent
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import allocate, make_child, make_family

from ..models import CheckState, Correction, CorrectionState, DataCheck
from .helpers import carer_confirm, complete

pytestmark = pytest.mark.django_db


def _confirm_data(world, **extra):
    carer = world.family_a.carers.first()
    data = {"carer": carer.pk, "method": "phone", "confirmed_on": "2026-11-18", "outcome": "all_correct", "note": ""}
    data.update(extra)
    return data


# Progress ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_office", "headteacher", "deputy"])
def test_progress_for_the_admin_office_and_leaders(world, client_for, persona):
    complete(world)
    carer_confirm(world, child=world.child_b, staff=world.teacher_b,
                  differences=[(f"carer.{world.family_b.carers.first().pk}.phone", "07700 900999")])
    response = client_for(getattr(world, persona)).get("/data-checks/")
    assert response.status_code == 200
    rows = {r.name: r for r in response.context["progress"].rows}
    assert (rows["Ash"].children, rows["Ash"].carer_confirmed, rows["Ash"].complete) == (2, 1, 1)
    assert (rows["Beech"].children, rows["Beech"].carer_confirmed, rows["Beech"].complete, rows["Beech"].corrections_waiting) == (1, 1, 0, 1)
    html = response.content.decode()
    assert "Autumn 2" in html and "The figures per class" in html and 'class="dc-bar"' in html


def test_progress_filtered_by_class_lists_its_children(world, client_for):
    complete(world)
    response = client_for(world.admin_office).get(f"/data-checks/?group={world.class_a.pk}")
    assert response.status_code == 200
    assert [r.name for r in response.context["progress"].rows] == ["Ash"]
    children = response.context["progress"].children
    assert [(c.legal_first_name, bool(check)) for c, check in children] == [("Alfie", True), ("Cara", False)]


def test_progress_as_of_another_half_term(world, client_for):
    complete(world)
    response = client_for(world.admin_office).get("/data-checks/?as_of=2026-10-01")
    assert response.status_code == 200
    assert "Autumn 1" in response.content.decode()
    assert sum(r.complete for r in response.context["progress"].rows) == 0


def test_progress_filter_errors_are_per_field(world, client_for):
    response = client_for(world.admin_office).get("/data-checks/?as_of=31/02/2026&group=abc")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"as_of", "group"}


def test_progress_outsider_sees_only_their_own_organisation(world, client_for):
    complete(world)
    response = client_for(world.outsider).get("/data-checks/")
    assert response.status_code == 200
    assert "Ash" not in response.content.decode()
    assert client_for(world.outsider).get(f"/data-checks/?group={world.class_a.pk}").status_code == 400


def test_progress_is_forbidden_to_staff_who_are_not_key_workers_or_leaders(world, client_for):
    assert client_for(world.ta_a).get("/data-checks/").url == "/data-checks/mine/"


def _add_children(world, n):
    admin = world.actor(world.admin_office)
    assert admin
    for i in range(n):
        family = make_family(world.org, f"The Extra{i} family", carers=1)
        child = make_child(family, world.school, world.class_a if i % 2 else world.class_b)
        allocate(family, world.school, world.ta_a)
        if i % 3 == 0:
            complete(world, child=child, staff=world.headteacher)
        elif i % 3 == 1:
            carer_confirm(world, child=child, staff=world.headteacher,
                          differences=[(f"carer.{family.carers.first().pk}.phone", f"07700 90{i:04d}")])


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", ["/data-checks/", "/data-checks/?group={class_a}", "/data-checks/corrections/"])
def test_admin_pages_take_a_fixed_number_of_queries(world, client_for, url, django_assert_max_num_queries):
    url = url.format(class_a=world.class_a.pk)
    client = client_for(world.admin_office)
    few = _queries(client, url)
    _add_children(world, 28)
    many = _queries(client, url)
    assert few == many
    with django_assert_max_num_queries(16):  # the admin office's session loads its second-factor device too
        client.get(url)


def test_my_checks_and_my_week_take_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.ta_a)
    few = (_queries(client, "/data-checks/mine/"), _queries(client, "/my-week/"))
    _add_children(world, 28)
    assert (_queries(client, "/data-checks/mine/"), _queries(client, "/my-week/")) == few


# Corrections queue ---------------------------------------------------------------------------------------------


def test_corrections_queue_apply_and_reject(world, client_for):
    carer = world.family_a.carers.first()
    check = carer_confirm(world, differences=[(f"carer.{carer.pk}.phone", "07700 900456"), ("child.legal_first_name", "Alfred")])
    phone, name = Correction.objects.filter(data_check=check).order_by("id")
    client = client_for(world.admin_office)
    response = client.get("/data-checks/corrections/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "07700 900456" in html and "Alfred" in html

    assert client.post(f"/data-checks/corrections/{phone.pk}/apply/").status_code == 302
    assert Carer.objects.get(pk=carer.pk).phone == "07700 900456"
    assert AuditEvent.objects.filter(object_type="Carer", object_id=carer.pk, actor=world.admin_office.user).count() == 2

    response = client.post(f"/data-checks/corrections/{name.pk}/reject/", {f"c{name.pk}-reason": ""})
    assert response.status_code == 400
    assert "Enter why the correction is rejected" in response.content.decode()
    response = client.post(f"/data-checks/corrections/{name.pk}/reject/", {f"c{name.pk}-reason": "Must match the birth certificate"})
    assert response.status_code == 302
    name.refresh_from_db()
    assert name.state == CorrectionState.REJECTED

    response = client.post(f"/data-checks/{check.pk}/confirm/", {"note": "Checked against the MIS"})
    assert response.status_code == 302
    assert DataCheck.objects.get(pk=check.pk).state == CheckState.COMPLETE


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a"])
def test_corrections_are_forbidden_to_staff_without_the_capability(world, client_for, persona):
    check = carer_confirm(world, differences=[("child.legal_first_name", "Alfred")])
    correction = Correction.objects.get(data_check=check)
    client = client_for(getattr(world, persona))
    assert client.get("/data-checks/corrections/").status_code == 403
    assert client.post(f"/data-checks/corrections/{correction.pk}/apply/").status_code == 403
    assert client.post(f"/data-checks/corrections/{correction.pk}/reject/", {f"c{correction.pk}-reason": "No"}).status_code == 403
    assert client.post(f"/data-checks/{check.pk}/confirm/").status_code == 403
    assert Correction.objects.get(pk=correction.pk).state == CorrectionState.PROPOSED


def test_corrections_and_checks_are_not_found_for_outsiders(world, client_for):
    check = carer_confirm(world, differences=[("child.legal_first_name", "Alfred")])
    correction = Correction.objects.get(data_check=check)
    client = client_for(world.outsider)
    assert client.get("/data-checks/corrections/").status_code == 200
    assert "Alfred" not in client.get("/data-checks/corrections/").content.decode()
    assert client.post(f"/data-checks/corrections/{correction.pk}/apply/").status_code == 404
    assert client.get(f"/data-checks/{check.pk}/").status_code == 404
    assert client.post(f"/data-checks/{check.pk}/confirm/").status_code == 404
    assert client.get(f"/data-checks/children/{world.child_a.pk}/confirm/").status_code == 404


# The key worker's pages ----------------------------------------------------------------------------------------


def test_my_checks_lists_my_children(world, client_for):
    response = client_for(world.ta_a).get("/data-checks/mine/")
    assert response.status_code == 200
    assert [r.child for r in response.context["waiting"]] == [world.child_a]
    assert f"/data-checks/children/{world.child_a.pk}/confirm/" in response.content.decode()


def test_the_confirmation_form_shows_the_data_held(world, client_for):
    carer = world.family_a.carers.first()
    carer.email = "carer@example.org"
    carer.save()
    response = client_for(world.ta_a).get(f"/data-checks/children/{world.child_a.pk}/confirm/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Alfie", "1/5/2018", "Ash", "English", "07700 900123", "carer@example.org", "Something is different"):
        assert text in html


def test_recording_all_correct(world, client_for):
    response = client_for(world.ta_a).post(f"/data-checks/children/{world.child_a.pk}/confirm/", _confirm_data(world))
    assert response.status_code == 302 and response.url == "/data-checks/mine/"
    check = DataCheck.objects.get(child=world.child_a)
    assert check.state == CheckState.AWAITING_ADMIN and check.carer_all_correct
    # A second visit goes to the check.
    response = client_for(world.ta_a).get(f"/data-checks/children/{world.child_a.pk}/confirm/")
    assert response.status_code == 302 and response.url == f"/data-checks/{check.pk}/"


def test_recording_a_difference(world, client_for):
    carer = world.family_a.carers.first()
    data = _confirm_data(world, outcome="different", **{"d0-field": f"carer.{carer.pk}.phone", "d0-proposed_value": "07700 900456",
                                                        "d0-note": "New mobile"})
    response = client_for(world.ta_a).post(f"/data-checks/children/{world.child_a.pk}/confirm/", data)
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.current_value, correction.proposed_value, correction.note) == ("07700 900123", "07700 900456", "New mobile")


@pytest.mark.parametrize(("extra", "field"), [
    ({"carer": ""}, "carer"),
    ({"method": "portal"}, "method"),
    ({"confirmed_on": "2026-13-01"}, "confirmed_on"),
    ({"confirmed_on": "2026-10-28"}, "confirmed_on"),
    ({"outcome": "different"}, "d0-field"),
    ({"outcome": "different", "d0-field": "child.date_of_birth", "d0-proposed_value": "yesterday"}, "d0-proposed_value"),
    ({"outcome": "different", "d1-proposed_value": "Something"}, "d1-field"),
    ({"d0-field": "child.legal_first_name", "d0-proposed_value": "Alfred"}, "outcome"),
])
def test_the_confirmation_form_answers_per_field(world, client_for, extra, field):
    response = client_for(world.ta_a).post(f"/data-checks/children/{world.child_a.pk}/confirm/", _confirm_data(world, **extra))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    form_name, _, row_field = field.partition("-")
    if row_field:
        row = response.context["rows"][int(form_name[1:])]
        assert row.errors.get(row_field), row.errors
    else:
        assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not DataCheck.objects.filter(carer_confirmed_at__isnull=False).exists()


def test_a_no_contact_carer_is_not_offered(world, client_for):
    carer = world.family_a.carers.first()
    carer.contact_restriction = ContactRestriction.NO_CONTACT
    carer.save()
    response = client_for(world.ta_a).get(f"/data-checks/children/{world.child_a.pk}/confirm/")
    assert "no-contact restriction" in response.content.decode()
    assert response.context["form"].fields["carer"].choices == []
    response = client_for(world.ta_a).post(f"/data-checks/children/{world.child_a.pk}/confirm/", _confirm_data(world))
    assert response.status_code == 400


def test_the_confirmation_form_is_not_found_outside_scope(world, client_for):
    assert client_for(world.ta_a).get(f"/data-checks/children/{world.child_b.pk}/confirm/").status_code == 404
    assert client_for(world.ta_a).get("/data-checks/children/999999/confirm/").status_code == 404


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a", "admin_office", "headteacher"])
def test_the_check_detail_with_its_history(world, client_for, persona):
    check = complete(world)
    response = client_for(getattr(world, persona)).get(f"/data-checks/{check.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Admin office confirmed" in html and "Check complete" in html
    assert client_for(world.teacher_b).get(f"/data-checks/{check.pk}/").status_code == 404


def test_my_week_panel(world, client_for):
    client = client_for(world.ta_a)
    html = client.get("/my-week/").content.decode()
    assert "Data checks this half term" in html and "Alfie Adams" in html
    complete(world)
    html = client.get("/my-week/").content.decode()
    assert "A carer has checked the data of all 1 of your children" in html
    assert "Data checks this half term" not in client_for(world.admin_office).get("/my-week/").content.decode()


def test_timeline_entries(world, client_for):
    carer = world.family_a.carers.first()
    check = carer_confirm(world, differences=[(f"carer.{carer.pk}.phone", "07700 900456")])
    client = client_for(world.admin_office)
    client.post(f"/data-checks/corrections/{Correction.objects.get().pk}/apply/")
    client.post(f"/data-checks/{check.pk}/confirm/")
    html = client.get(f"/families/{world.family_a.pk}/timeline/?kind=datachecks").content.decode()
    assert "Data check complete: Autumn 2" in html and "Data corrected" in html and "07700 900456" in html
    assert "Data check complete" not in client.get(f"/families/{world.family_b.pk}/timeline/?kind=datachecks").content.decode()


def test_the_panel_and_the_timeline_source_are_registered():
    from keyworker.core.extensions import timeline_sources, week_panels

    panel = next(p for p in week_panels() if p.code == "datachecks")
    assert panel.order == 30 and panel.template == "datachecks/_week_panel.html"
    assert next(s for s in timeline_sources() if s.code == "datachecks").label == "Data checks"
