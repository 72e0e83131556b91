"""The organisation's choice of what carers without parental responsibility or under a restriction see."""

import pytest

from keyworker.core.models import AuditEvent
from keyworker.organisations.models import Organisation
from keyworker.people import carer_access
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import carer_account, portal_client

pytestmark = pytest.mark.django_db


def access(carer):
    return carer_access.access_for(carer_account(carer))


def test_full_limited_key_worker_only_and_nothing(world, clock):
    carer = world.family_a.carers.first()
    family = world.family_a.pk
    assert access(carer).family_ids_with(carer_access.FORMS) == {family}
    for field, value in (("parental_responsibility", False), ("contact_restriction", ContactRestriction.COURT_ORDER),
                         ("contact_restriction", ContactRestriction.INFORMATION_ONLY)):
        Carer.objects.filter(pk=carer.pk).update(**{"parental_responsibility": True, "contact_restriction": "", field: value})
        carer.refresh_from_db()
        a = access(carer)
        assert a.sections == carer_access.LIMITED
        assert not a.may(carer_access.FORMS, family) and a.may(carer_access.GOOD_NEWS, family)
        Organisation.objects.filter(pk=world.org.pk).update(portal_restricted_access="key_worker")
        assert access(carer).sections == {carer_access.KEY_WORKER}
        Organisation.objects.filter(pk=world.org.pk).update(portal_restricted_access="nothing")
        assert access(carer).sections == frozenset()
        Organisation.objects.filter(pk=world.org.pk).update(portal_restricted_access="limited")
    Carer.objects.filter(pk=carer.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    carer.refresh_from_db()
    assert access(carer).links == ()


def test_a_carer_whose_links_open_nothing_sees_no_family(world, clock):
    carer = world.family_a.carers.first()
    Carer.objects.filter(pk=carer.pk).update(parental_responsibility=False)
    Organisation.objects.filter(pk=world.org.pk).update(portal_restricted_access="nothing")
    page = portal_client(carer).get("/family/").content.decode()
    assert "Alfie" not in page and "There is nothing to show yet" in page


def test_leaders_choose_on_the_setup_page(world, client_for, clock):
    client = client_for(world.headteacher)
    assert "The carers' portal" in client.get("/setup/").content.decode()
    assert client.post("/setup/portal-access/", {"portal_restricted_access": "key_worker"}).status_code == 302
    world.org.refresh_from_db()
    assert world.org.portal_restricted_access == "key_worker"
    assert AuditEvent.objects.filter(event_type="organisation.portal_access").exists()
    assert client.post("/setup/portal-access/", {"portal_restricted_access": "everything"}).status_code == 302
    world.org.refresh_from_db()
    assert world.org.portal_restricted_access == "key_worker"
    assert client_for(world.ta_a).post("/setup/portal-access/", {"portal_restricted_access": "nothing"}).status_code == 403
    world.org.refresh_from_db()
    assert world.org.portal_restricted_access == "key_worker"
