"""Common transfer file import of pupils already here: set-based (the same queries for 3 pupils as for 12), every
change still in each child's history (audit, key aspect changes, a briefing for the team)."""

from xml.sax.saxutils import escape

import pytest

from keyworker.briefings.models import Briefing
from keyworker.core.audit import AuditEvent
from keyworker.imports.ctf_services import ctf_import_file
from keyworker.imports.models import ChildTransferDetails
from keyworker.people.models import Carer, Child, KeyAspectChange
from keyworker.people.upn import upn_check_letter
from keyworker.testing import make_child, make_family

pytestmark = pytest.mark.django_db


def upn(n: int) -> str:
    body = f"93820210{n:04d}"
    return upn_check_letter(body) + body


def pupil(child: Child, n: int) -> str:
    return (
        f"<Pupil><UPN>{child.upn}</UPN><Surname>{escape(child.legal_last_name)}</Surname><Forename>"
        f"{child.legal_first_name}</Forename><DOB>{child.date_of_birth.isoformat()}</DOB><Gender>F</Gender>"
        "<BasicDetails><NCyearActual>4</NCyearActual><Languages><Type><LanguageType>F</LanguageType><Language>POL"
        f"</Language></Type></Languages></BasicDetails><Address><AddressLines><AddressLine1>{n} New Road"
        "</AddressLine1></AddressLines></Address><Contacts>"
        f"<Contact><Order>1</Order><Surname>Family</Surname><Forename>Carer0</Forename><Relationship>PAM</Relationship>"
        f"<Responsibility>true</Responsibility><Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>07700 90{n:04d}"
        "</PhoneNo></Phone></Phones></Contact>"
        f"<Contact><Order>2</Order><Surname>Newman</Surname><Forename>Nia{n}</Forename><Relationship>PAF"
        "</Relationship><Responsibility>true</Responsibility></Contact></Contacts></Pupil>")


def ctf_of(children: list[Child]) -> bytes:
    body = "".join(pupil(c, n) for n, c in enumerate(children))
    return ("<?xml version='1.0' encoding='utf-8'?><CTfile><Header><DocumentName>Common Transfer File</DocumentName>"
            "<CTFversion>19.0</CTFversion><DocumentQualifier>full</DocumentQualifier><SourceSchool><URN>999001</URN>"
            "<SchoolName>Larkfield Primary</SchoolName></SourceSchool></Header>"
            f"<CTFpupilData>{body}</CTFpupilData></CTfile>").encode()


def known_children(world, count: int, start: int) -> list[Child]:
    children = []
    for n in range(start, start + count):
        family = make_family(world.org, name=f"The Family{n} family", carers=1)
        Carer.objects.filter(family=family).update(last_name="Family")
        children.append(make_child(family, world.school, world.class_a, upn=upn(n), year_group="Year 3"))
    return children


def test_known_pupils_are_updated_in_the_same_queries_whatever_their_number(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actor = world.actor(world.admin_office)
    few, many = known_children(world, 3, 0), known_children(world, 12, 100)
    with CaptureQueriesContext(connection) as small:
        _, outcome = ctf_import_file(actor=actor, setting=world.school, name="few.xml", data=ctf_of(few))
    assert outcome is not None and outcome.updated == 3
    with django_assert_max_num_queries(len(small)):
        _, outcome = ctf_import_file(actor=actor, setting=world.school, name="many.xml", data=ctf_of(many))
    assert outcome is not None and outcome.updated == 12 and outcome.created == 0 and outcome.carers == 12


def test_each_change_to_a_known_pupil_stays_in_the_childs_history(world):
    actor = world.actor(world.admin_office)
    children = known_children(world, 2, 200)
    first = children[0]
    version = first.version
    _, outcome = ctf_import_file(actor=actor, setting=world.school, name="k.xml", data=ctf_of(children))
    assert outcome is not None and outcome.updated == 2
    first.refresh_from_db()
    assert first.year_group == "Year 4" and first.version == version + 1
    assert first.family.address == "0 New Road"
    change = KeyAspectChange.objects.get(child=first, field="first_language")
    assert (change.before, change.after, change.changed_by) == ("English", "Polish", world.admin_office.user)
    carers = {c.first_name: c for c in Carer.objects.filter(family=first.family)}
    assert carers["Carer0"].phone == "07700 900000" and "Nia0" in carers
    assert ChildTransferDetails.objects.get(child=first).gender == "F"
    events = set(AuditEvent.objects.filter(object_id__in=[first.pk, first.family_id, *[c.pk for c in carers.values()]])
                 .values_list("event_type", "object_id"))
    assert {("child.updated", first.pk), ("family.updated", first.family_id), ("key_aspects.updated", first.pk),
            ("child.transfer_details_updated", first.pk), ("carer.updated", carers["Carer0"].pk),
            ("carer.created", carers["Nia0"].pk)} <= events
    child_update = AuditEvent.objects.get(event_type="child.updated", object_id=first.pk)
    assert child_update.data == {"before": {"year_group": "Year 3"}, "after": {"year_group": "Year 4"}}
    briefing = Briefing.objects.get(child=first)
    assert briefing.recipients.exists(), "the class team is told of the new first language"
    _, again = ctf_import_file(actor=actor, setting=world.school, name="k.xml", data=ctf_of(children))
    assert again is not None and again.unchanged == 2 and Briefing.objects.filter(child=first).count() == 1


def test_a_upn_another_pupil_holds_stops_the_import(world):
    from keyworker.core.errors import RuleViolation
    from keyworker.people import services as people

    actor = world.actor(world.admin_office)
    a, b = known_children(world, 2, 300)
    with pytest.raises(RuleViolation, match="Another pupil already has the UPN"):
        people.children_update_many(actor=actor, updates=[(a, {"upn": b.upn})])
    with pytest.raises(RuleViolation, match="same UPN"):
        people.children_update_many(actor=actor, updates=[(a, {"upn": upn(999)}), (b, {"upn": upn(999)})])
