"""A carer's portal account follows their address on record: through the office's corrections queue, a member of
staff's edit (page and API) and an import. The old address's links stop working, the new address signs in, the
carer is told at both addresses; an address that is a member of staff's is refused, nothing lost."""

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from keyworker.core.audit import AuditEvent
from keyworker.core.testing import as_opened
from keyworker.datachecks.carer_side import datacheck_portal_confirm
from keyworker.datachecks.models import Correction, CorrectionState
from keyworker.people import services as people
from keyworker.people.forms import CarerForm
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import carer_account, make_family

from .helpers import last_link, send_outbox, sign_in_with

pytestmark = pytest.mark.django_db

OLD, NEW = "amy.adams@example.org", "amy.new@example.org"


@pytest.fixture
def carer(world):
    c = world.family_a.carers.first()
    carer_account(c, OLD)
    c.refresh_from_db()
    return c


def _ask(address: str) -> None:
    Client().post("/family/sign-in/", {"email": address})


def _to(address: str) -> list:
    send_outbox()
    return [m for m in mail.outbox if address in m.to]


def _correct_through_the_office(world, carer, address: str, client_for):
    """The carer proposes the address in the portal; the admin office applies it on the corrections page."""
    datacheck_portal_confirm(link=Carer.objects.select_related("family").get(pk=carer.pk),
                             changes={f"carer.{carer.pk}.email": address})
    correction = Correction.objects.get(field="email", state=CorrectionState.PROPOSED)
    response = client_for(world.admin_office).post(f"/data-checks/corrections/{correction.pk}/apply/", follow=True)
    return correction, response


def test_an_address_the_office_accepts_is_the_only_one_that_signs_in(world, carer, clock, client_for):
    _ask(OLD)
    old_link = last_link(OLD)
    mail.outbox.clear()
    correction, _ = _correct_through_the_office(world, carer, NEW, client_for)
    correction.refresh_from_db()
    carer.refresh_from_db()
    assert correction.state == CorrectionState.APPLIED and carer.email == NEW and carer.user.email == NEW
    # Told at both addresses: a fresh link at the new one; at the old one, only that it changed.
    [fresh] = _to(NEW)
    [notice] = _to(OLD)
    assert "sign in" in fresh.body and "/family/sign-in/link/" in fresh.body
    assert NEW not in notice.body and "Alfie" not in notice.body and "/family/sign-in/link/" not in notice.body
    assert "has changed the e-mail address you use to sign in" in notice.body
    # The old address's link signs no one in, and asking with the old address sends nothing.
    stale = Client()
    assert stale.get(old_link).status_code == 400
    assert stale.get("/family/").status_code == 302
    mail.outbox.clear()
    _ask(OLD)
    assert _to(OLD) == []
    # A link asked for with the new address signs the carer in, to their family.
    client = Client()
    client.post("/family/sign-in/", {"email": NEW})
    assert sign_in_with(client, last_link(NEW)).url == "/family/"
    assert "Alfie Adams" in client.get("/family/").content.decode()
    assert AuditEvent.objects.filter(event_type="portal.account_address_followed", object_id=carer.pk).exists()


def test_the_link_e_mailed_at_the_change_signs_the_carer_in(world, carer, clock, client_for):
    _correct_through_the_office(world, carer, NEW, client_for)
    client = Client()
    assert sign_in_with(client, last_link(NEW)).url == "/family/"


def test_a_carer_signed_in_at_the_old_address_is_signed_out(world, carer, clock, client_for):
    client = Client()
    _ask(OLD)
    sign_in_with(client, last_link(OLD))
    assert client.get("/family/").status_code == 200
    _correct_through_the_office(world, carer, NEW, client_for)
    assert client.get("/family/").status_code == 302


def test_the_office_cannot_give_a_carer_a_member_of_staffs_address_and_the_correction_waits(world, carer, clock, client_for):
    staff_address = world.ta_a.user.email
    correction, response = _correct_through_the_office(world, carer, staff_address, client_for)
    assert f"is a member of staff&#x27;s sign-in address: {carer.full_name} needs an address of their own" in (
        response.content.decode())
    correction.refresh_from_db()
    carer.refresh_from_db()
    assert correction.state == CorrectionState.PROPOSED  # nothing lost: the office may still reject it, saying why
    assert carer.email == OLD and carer.user.email == OLD
    assert _to(OLD) == [] and _to(staff_address) == []


def test_staff_editing_the_address_see_the_refusal_on_the_field(world, carer, clock, client_for):
    url = f"/families/carers/{carer.pk}/edit/"
    opened = as_opened(CarerForm(instance=carer))
    response = client_for(world.admin_office).post(url, {**opened, "email": world.ta_a.user.email})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["email"] and "needs an address of their own" in form.errors["email"][0]
    carer.refresh_from_db()
    assert carer.email == OLD and carer.user.email == OLD
    # A free address is saved, and the account follows it.
    assert client_for(world.admin_office).post(url, {**opened, "email": "Amy.New@Example.org"}).status_code == 302
    carer.refresh_from_db()
    assert carer.user.email == NEW and len(_to(NEW)) == 1 and len(_to(OLD)) == 1


def test_the_api_refuses_a_staff_address_on_the_field(world, carer, clock):
    client = APIClient()
    client.force_authenticate(user=world.headteacher.user)
    url, version = f"/api/v1/carers/{carer.pk}/", carer.version
    response = client.patch(url, {"email": world.ta_a.user.email, "version": version}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["email"]
    assert "needs an address of their own" in response.json()["errors"]["email"][0]
    carer.refresh_from_db()
    assert carer.user.email == OLD and carer.version == version
    assert client.patch(url, {"email": NEW, "version": version}, format="json").status_code == 200
    carer.refresh_from_db()
    assert carer.user.email == NEW


def test_an_outsider_cannot_change_the_address(world, carer, clock, client_for):
    response = client_for(world.outsider).post(f"/families/carers/{carer.pk}/edit/",
                                                {**as_opened(CarerForm(instance=carer)), "email": NEW})
    assert response.status_code == 404
    carer.refresh_from_db()
    assert carer.user.email == OLD


def test_an_account_shared_with_another_family_stays_with_it(world, carer, clock):
    """The same address on a carer of another family: that carer keeps signing in with it; this one gets an account of
    their own at the new address."""
    other = world.family_b.carers.first()
    shared = carer_account(other, OLD)
    people.carer_update(actor=world.actor(world.headteacher), carer=carer, email=NEW)
    carer.refresh_from_db()
    other.refresh_from_db()
    assert other.user == shared and shared.email == OLD
    assert carer.user != shared and carer.user.email == NEW and carer.user.is_carer
    client = Client()
    _ask(OLD)
    sign_in_with(client, last_link(OLD))
    home = client.get("/family/").content.decode()
    assert "Alfie Adams" not in home  # the family whose carer moved to another address is no longer seen here


def test_an_address_that_already_signs_in_a_carer_joins_that_account(world, carer, clock):
    """One account per address, as an invitation links it: the same person already invited by another family."""
    other = make_family(world.other_org, "The Zed family").carers.first()
    theirs = carer_account(other, NEW)
    people.carer_update(actor=world.actor(world.headteacher), carer=carer, email=NEW)
    carer.refresh_from_db()
    assert carer.user == theirs
    assert len(_to(NEW)) == 1 and len(_to(OLD)) == 1


def test_no_address_leaves_no_account_and_no_link(world, carer, clock):
    people.carer_update(actor=world.actor(world.headteacher), carer=carer, email="", preferred_contact_method="phone")
    carer.refresh_from_db()
    assert carer.user is None
    assert len(_to(OLD)) == 1  # told that the address no longer signs in
    mail.outbox.clear()
    _ask(OLD)
    assert _to(OLD) == []


def test_a_carer_without_an_account_is_sent_nothing(world, clock):
    carer = world.family_b.carers.first()
    people.carer_update(actor=world.actor(world.headteacher), carer=carer, email=NEW)
    send_outbox()
    assert mail.outbox == []


def test_a_no_contact_carer_gets_no_link_at_the_new_address(world, carer, clock):
    people.carer_update(actor=world.actor(world.headteacher), carer=carer, email=NEW,
                        contact_restriction=ContactRestriction.NO_CONTACT)
    carer.refresh_from_db()
    assert carer.user.email == NEW and _to(NEW) == []


def test_a_change_of_capitals_is_the_same_address(world, carer, clock):
    people.carer_update(actor=world.actor(world.headteacher), carer=carer, email="Amy.Adams@Example.org")
    carer.refresh_from_db()
    assert carer.user.email == OLD
    send_outbox()
    assert mail.outbox == []


def test_an_import_moves_the_account_too(world, carer, clock):
    people.carers_update_many(actor=world.actor(world.headteacher), updates=[(carer, {"email": NEW})])
    carer.refresh_from_db()
    assert carer.user.email == NEW and len(_to(NEW)) == 1
