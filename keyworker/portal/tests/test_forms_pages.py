"""The carer's forms in the portal: the family's details to check, the enrolment form, the contact preference. As
the family's carer; another family's carer, a carer without parental responsibility and staff get 404."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyworker.datachecks.models import Correction, DataCheck
from keyworker.enrolment.models import EnrolmentForm, FormState
from keyworker.enrolment.tests.helpers import ANSWERS, make_nursery
from keyworker.people.models import Carer
from keyworker.testing import make_child, portal_client

pytestmark = pytest.mark.django_db


def _details(world):
    return f"/family/forms/{world.family_a.pk}/details/"


def test_the_carer_sees_their_familys_details_and_confirms(world):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    response = client.get(_details(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alfie" in html and "07700 900123" in html and "Confirm, this is right" in html
    response = client.post(_details(world), {"action": "confirm"})
    assert response.status_code == 302
    check = DataCheck.objects.get(child=world.child_a)
    assert check.carer_method == "portal"
    html = client.get(_details(world)).content.decode()
    assert "Confirmed by" in html and "Confirm, this is right" not in html


def test_a_correction_waits_for_the_office(world, client_for):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    response = client.post(_details(world), {"action": "changes", f"change-carer.{carer.pk}.phone": "07700 900999"})
    assert response.status_code == 302
    carer.refresh_from_db()
    assert carer.phone == "07700 900123"
    html = client.get(_details(world)).content.decode()
    assert "Waiting for the office" in html and "07700 900999" in html
    office = client_for(world.admin_office).get("/data-checks/corrections/").content.decode()
    assert "07700 900999" in office and "carers&#x27; portal" in office
    check = DataCheck.objects.get(child=world.child_a)
    detail = client_for(world.admin_office).get(f"/data-checks/{check.pk}/").content.decode()
    assert "in the carers&#x27; portal" in detail and "something was different" in detail


def test_after_confirming_a_new_phone_number_still_goes_to_the_office(world, client_for):
    """Confirmed this half term, then the number changes: the carer tells the office from the same page; the record
    keeps the old number until the office accepts the new one."""
    from keyworker.core.errors import RuleViolation
    from keyworker.datachecks import carer_side

    carer = world.family_a.carers.first()
    client = portal_client(carer)
    assert client.post(_details(world), {"action": "confirm"}).status_code == 302
    html = client.get(_details(world)).content.decode()
    assert "Something changed since?" in html and "Confirm, this is right" not in html and "Send my changes" in html
    # Bad input: a message next to the field, nothing sent.
    response = client.post(_details(world), {"action": "changes", f"change-carer.{carer.pk}.email": "nope"})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert client.post(_details(world), {"action": "changes"}).status_code == 400
    assert not Correction.objects.exists()
    response = client.post(_details(world), {"action": "changes", f"change-carer.{carer.pk}.phone": "07700 900777"})
    assert response.status_code == 302
    carer.refresh_from_db()
    assert carer.phone == "07700 900123"
    [correction] = Correction.objects.all()
    assert correction.state == "proposed" and correction.proposed_by_carer_id == carer.pk
    assert correction.data_check.carer_confirmed_at is not None
    assert "07700 900777" in client.get(_details(world)).content.decode()
    assert "07700 900777" in client_for(world.admin_office).get("/data-checks/corrections/").content.decode()
    # While the half term's check is still to do, the check itself takes the changes.
    other = world.family_b.carers.first()
    with pytest.raises(RuleViolation):
        carer_side.datacheck_portal_correct(link=other, changes={f"carer.{other.pk}.phone": "01"})
    # Another family's carer finds nothing.
    assert portal_client(other).post(_details(world), {"action": "changes", f"change-carer.{carer.pk}.phone": "01"}).status_code == 404


def test_errors_are_shown_next_to_each_field(world):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    response = client.post(_details(world), {"action": "changes", f"change-carer.{carer.pk}.email": "nope",
                                              f"change-child.{world.child_a.pk}.date_of_birth": "soon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="error-message"') == 2 and 'aria-invalid="true"' in html
    assert not Correction.objects.exists()
    # Confirming with changes typed, or sending changes with none, says what to do.
    response = client.post(_details(world), {"action": "confirm", f"change-carer.{carer.pk}.phone": "01"})
    assert response.status_code == 400 and "Send my changes" in response.content.decode()
    assert client.post(_details(world), {"action": "changes"}).status_code == 400
    assert client.post(_details(world), {"action": "bogus"}).status_code == 400


@pytest.mark.parametrize("who", ["other_family", "no_pr", "staff", "outsider"])
def test_no_one_else_sees_the_familys_forms(world, who):
    if who == "other_family":
        client = portal_client(world.family_b.carers.first())
    elif who == "no_pr":
        carer = world.family_a.carers.first()
        Carer.objects.filter(pk=carer.pk).update(parental_responsibility=False)
        client = portal_client(carer)
    else:
        client = Client()
        client.force_login((world.admin_office if who == "staff" else world.outsider).user)
    for url in (_details(world), f"/family/forms/{world.family_a.pk}/contact/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "confirm", "method": "email"}).status_code == 404
    assert not DataCheck.objects.exists()


def test_a_carer_without_parental_responsibility_sees_no_enrolment_form(world):
    nursery = make_nursery(world)
    client = portal_client(nursery.no_pr)
    url = f"/family/forms/children/{nursery.child.pk}/enrolment/"
    assert client.get(url).status_code == 404
    assert client.post(url, {**ANSWERS, "action": "send"}).status_code == 404
    assert "Enrolment form" not in client.get("/family/forms/").content.decode()


def test_the_enrolment_form_saved_then_sent(world):
    nursery = make_nursery(world)
    client = portal_client(nursery.carer)
    url = f"/family/forms/children/{nursery.child.pk}/enrolment/"
    assert "Send to the setting" in client.get(url).content.decode()
    response = client.post(url, {"allergies": "Peanuts", "photo_consent": "yes", "action": "save"})
    assert response.status_code == 302
    response = client.post(url, {"allergies": "Peanuts", "photo_consent": "yes", "action": "send"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer “Medical needs” before sending" in html and "Choose yes or no for “Outings”" in html
    response = client.post(url, {**ANSWERS, "action": "send"})
    assert response.status_code == 302
    assert EnrolmentForm.objects.get(child=nursery.child).state == FormState.SENT
    html = client.get(url).content.decode()
    assert "Sent to the setting on" in html and "Send to the setting</button>" not in html
    # Another family's carer: 404.
    assert portal_client(world.family_a.carers.first()).get(url).status_code == 404


def test_the_contact_preference_applies_at_once_and_staff_see_it(world, client_for):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    url = f"/family/forms/{world.family_a.pk}/contact/"
    assert client.post(url, {"method": "pigeon"}).status_code == 400
    assert client.post(url, {"method": "email"}).status_code == 302
    carer.refresh_from_db()
    assert carer.preferred_contact_method == "email"
    page = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "<dt>Preferred contact</dt><dd><strong>E-mail</strong>" in page


def test_the_forms_list(world):
    nursery = make_nursery(world)
    html = portal_client(nursery.carer).get("/family/forms/").content.decode()
    assert "Enrolment form for Eli" in html and "Check your family's details" in html


def test_the_details_page_takes_a_fixed_number_of_queries(world):
    carer = world.family_a.carers.first()
    client = portal_client(carer)

    def count():
        with CaptureQueriesContext(connection) as q:
            assert client.get(_details(world)).status_code == 200
        return len(q)

    small = count()
    for i in range(5):
        make_child(world.family_a, world.school, world.class_a, legal_first_name=f"Sib{i}")
        Carer.objects.create(organisation=world.org, family=world.family_a, first_name=f"Extra{i}", last_name="Adams")
    assert count() == small
