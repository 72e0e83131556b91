"""A new pupil of a common transfer file whose contact is a carer here already joins that family (a sibling) instead
of starting a duplicate: by the same e-mail, or the same surname with the same phone or address; never by name
alone, and never when the contacts point at two families."""

import datetime as dt

import pytest

from keyworker.imports.ctf_services import ctf_import_file
from keyworker.people.models import Carer, Child, Family
from keyworker.testing import make_child

pytestmark = pytest.mark.django_db


def contact(first: str, last: str, *, email: str = "", phone: str = "", order: int = 1) -> str:
    phones = (f"<Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>{phone}</PhoneNo></Phone></Phones>"
              if phone else "")
    return (f"<Contact><Order>{order}</Order><Surname>{last}</Surname><Forename>{first}</Forename><Relationship>PAM"
            f"</Relationship><Responsibility>true</Responsibility><Address><AddressAsPupil>true</AddressAsPupil>"
            f"</Address>{phones}{f'<Email>{email}</Email>' if email else ''}</Contact>")


def ctf_with(contacts: str, *, address: str = "1 Elm Close", first: str = "Bola") -> bytes:
    return ("<?xml version='1.0' encoding='utf-8'?><CTfile><Header><DocumentName>Common Transfer File</DocumentName>"
            "<CTFversion>19.0</CTFversion><DocumentQualifier>full</DocumentQualifier><SourceSchool><SchoolName>"
            "Larkfield Primary</SchoolName></SourceSchool></Header><CTFpupilData><Pupil><UPN>A938202112345</UPN>"
            f"<Surname>Okafor</Surname><Forename>{first}</Forename><DOB>2019-03-04</DOB><Address><AddressLines>"
            f"<AddressLine1>{address}</AddressLine1></AddressLines></Address><Contacts>{contacts}</Contacts></Pupil>"
            "</CTFpupilData></CTfile>").encode()


@pytest.fixture
def okafors(world):
    family = Family.objects.create(organisation=world.org, name="The Okafor family", address="14 Ash Grove\nWestbury")
    grace = Carer.objects.create(organisation=world.org, family=family, first_name="Grace", last_name="Okafor",
                                 email="grace.okafor@example.org", phone="07700 900555", contact_order=1)
    make_child(family, world.school, world.class_a, legal_first_name="Ada", legal_last_name="Okafor",
               date_of_birth=dt.date(2017, 2, 1))
    return family, grace


def run(world, data, dry_run=False):
    return ctf_import_file(actor=world.actor(world.admin_office), setting=world.school, name="new.xml", data=data,
                           dry_run=dry_run)


@pytest.mark.parametrize("contacts", [
    contact("Grace", "Okafor", email="Grace.Okafor@Example.org"),                        # the same e-mail
    contact("G", "Okafor", phone="+44 7700 900555"),                                     # surname and phone
    contact("Grace", "OKAFOR") + contact("Sam", "Lee", order=2),                         # surname and address
], ids=["email", "surname-phone", "surname-address"])
def test_a_new_pupil_whose_contact_is_a_carer_here_joins_that_family(world, okafors, contacts):
    family, grace = okafors
    address = "14 Ash Grove\nWestbury" if "Sam" in contacts else "1 Elm Close"
    plan, _ = run(world, ctf_with(contacts, address=address), dry_run=True)
    entry = plan.report()["pupils"][0]
    assert entry["action"] == "create" and entry["joins"] == "the Okafor family (sibling of Ada Okafor)"
    assert {"what": "Family", "field": "Joins", "before": "",
            "after": "Joins the Okafor family (sibling of Ada Okafor)"} in entry["changes"]
    families = Family.objects.count()
    _, outcome = run(world, ctf_with(contacts, address=address))
    assert outcome is not None and outcome.created == 1
    bola = Child.objects.get(organisation=world.org, legal_first_name="Bola")
    assert bola.family_id == family.pk and Family.objects.count() == families
    family.refresh_from_db()
    assert family.address == "14 Ash Grove\nWestbury", "the family's address is not changed by a sibling"
    if "Grace" in contacts:
        assert Carer.objects.filter(family=family, first_name="Grace").count() == 1, "no duplicate carer"


def test_the_same_name_alone_does_not_join_a_family(world, okafors):
    family, _ = okafors
    near_miss = contact("Grace", "Okafor", email="grace.o@example.net", phone="07700 900999")
    plan, outcome = run(world, ctf_with(near_miss, address="3 Other Street"))
    assert plan.report()["pupils"][0]["joins"] == ""
    assert outcome is not None and outcome.created == 1
    bola = Child.objects.get(organisation=world.org, legal_first_name="Bola")
    assert bola.family_id != family.pk and Carer.objects.filter(first_name="Grace", last_name="Okafor").count() == 2


def test_the_same_phone_with_another_surname_does_not_join(world, okafors):
    plan, _ = run(world, ctf_with(contact("Grace", "Adeyemi", phone="07700 900555")), dry_run=True)
    assert plan.report()["pupils"][0]["joins"] == ""


def test_contacts_matching_two_families_join_neither(world, okafors):
    other = Family.objects.create(organisation=world.org, name="The Lee family")
    Carer.objects.create(organisation=world.org, family=other, first_name="Sam", last_name="Lee",
                         email="sam.lee@example.org")
    contacts = contact("Grace", "Okafor", email="grace.okafor@example.org") + contact(
        "Sam", "Lee", email="sam.lee@example.org", order=2)
    plan, _ = run(world, ctf_with(contacts), dry_run=True)
    entry = plan.report()["pupils"][0]
    assert entry["joins"] == "" and any("match carers of 2 families" in w for w in entry["warnings"])
