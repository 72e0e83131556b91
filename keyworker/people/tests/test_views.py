"""Family pages: My families, the family, the child profile with key aspects and their history, and the edit forms."""

import pytest

from keyworker.people.models import Carer, Child, KeyAspectChange

pytestmark = pytest.mark.django_db


def test_my_families_shows_children_class_carers_and_preferred_method(world, client_for):
    html = client_for(world.ta_a).get("/families/").content.decode()
    assert "The Adams family" in html
    assert "Alfie Adams" in html and "Ash" in html
    assert "Prefers: <strong>Phone call</strong>" in html
    assert "The Brown family" not in html and "The Cole family" not in html  # not their caseload


def test_my_families_empty_state_says_what_happens_next(world, client_for):
    html = client_for(world.teacher_a).get("/families/").content.decode()
    assert "No families allocated to you yet" in html


def test_family_page_warns_about_contact_restrictions(world, client_for):
    Carer.objects.filter(family=world.family_a).update(contact_restriction="no_contact", restriction_notes="Court order")
    html = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "Contact restrictions apply" in html and "No contact" in html


def test_family_page_shows_no_key_worker_as_a_gap(world, client_for):
    html = client_for(world.headteacher).get(f"/families/{world.family_unallocated.pk}/").content.decode()
    assert "No key worker." in html and "Allocate a key worker" in html


def test_family_search_by_child_name_and_upn(world, client_for):
    world.child_b.upn = "L201234567890"
    world.child_b.save()
    client = client_for(world.headteacher)
    assert "The Adams family" in client.get("/families/all/?q=alfie").content.decode()
    html = client.get("/families/all/?q=L201234567890").content.decode()
    assert "The Brown family" in html and "The Adams family" not in html
    assert "No families match" in client.get("/families/all/?q=nobody-at-all").content.decode()


def test_updating_key_aspects_records_who_when_before_after(world, client_for, clock):
    client = client_for(world.ta_a)
    r = client.post(f"/families/children/{world.child_a.pk}/key-aspects/", {
        "first_language": "English", "religion": "", "medical_needs": "", "allergies": "Peanuts (EpiPen in class)",
        "behaviour_plan": "", "risk_assessments": "", "outside_agencies": "", "family_circumstances": "", "version": 1,
    })
    assert r.status_code == 302
    change = KeyAspectChange.objects.get(child=world.child_a)
    assert (change.field, change.before, change.after, change.changed_by) == ("allergies", "", "Peanuts (EpiPen in class)", world.ta_a.user)
    html = client.get(f"/families/children/{world.child_a.pk}/").content.decode()
    assert "Changes to key aspects" in html and "Peanuts (EpiPen in class)" in html and "Kim Keyworker" in html
    assert "18/11/2026" in html


def test_saving_key_aspects_unchanged_records_nothing(world, client_for):
    client_for(world.ta_a).post(f"/families/children/{world.child_a.pk}/key-aspects/", {"first_language": "English", "version": 1})
    assert not KeyAspectChange.objects.exists()


def test_child_profile_warns_about_a_bad_upn_but_keeps_the_pupil(world, client_for):
    world.child_a.upn = "A201234567890"
    world.child_a.save()
    html = client_for(world.ta_a).get(f"/families/children/{world.child_a.pk}/").content.decode()
    assert "Check the UPN A201234567890" in html and "should be L, not A" in html


def test_adding_a_child_validates_every_field(world, client_for):
    client = client_for(world.admin_office)
    r = client.post(f"/families/{world.family_a.pk}/children/new/", {
        "legal_first_name": "", "legal_last_name": "Adams", "date_of_birth": "31/02/2019", "enrolled_on": "not a date",
        "setting": world.school.pk, "group": world.class_a.pk,
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "There is a problem" in html
    assert "This field is required" in html and "Enter a valid date" in html
    assert Child.objects.filter(family=world.family_a).count() == 1


def test_adding_a_child_with_a_duplicate_upn_is_refused(world, client_for):
    world.child_b.upn = "L201234567890"
    world.child_b.save()
    r = client_for(world.admin_office).post(f"/families/{world.family_a.pk}/children/new/", {
        "legal_first_name": "Amy", "legal_last_name": "Adams", "date_of_birth": "2019-03-01", "enrolled_on": "2024-09-01",
        "setting": world.school.pk, "group": world.class_a.pk, "upn": "L201234567890",
    })
    assert r.status_code == 400
    assert "Another pupil already has this UPN: Bella Brown" in r.content.decode()


def test_adding_a_child_with_a_bad_check_letter_saves_and_warns(world, client_for):
    r = client_for(world.admin_office).post(f"/families/{world.family_a.pk}/children/new/", {
        "legal_first_name": "Amy", "legal_last_name": "Adams", "date_of_birth": "2019-03-01", "enrolled_on": "2024-09-01",
        "setting": world.school.pk, "group": world.class_a.pk, "upn": "A201234567890",
    }, follow=True)
    assert Child.objects.filter(legal_first_name="Amy", upn="A201234567890").exists()
    assert "Check the UPN" in r.content.decode()


def test_a_class_of_another_setting_is_refused(world, client_for):
    from keyworker.testing import make_group, make_setting

    other = make_group(make_setting(world.org, name="Second site"), "Lime")
    r = client_for(world.admin_office).post(f"/families/children/{world.child_a.pk}/edit/", {
        "legal_first_name": "Alfie", "legal_last_name": "Adams", "date_of_birth": "2018-05-01", "enrolled_on": "2024-09-01",
        "setting": world.school.pk, "group": other.pk,
    })
    assert r.status_code == 400 and "is not a class or room of Test Primary" in r.content.decode()


def test_a_class_of_another_organisation_cannot_be_chosen(world, client_for):
    from keyworker.organisations.models import Group

    foreign = Group.objects.filter(organisation=world.other_org).first()
    r = client_for(world.admin_office).post(f"/families/children/{world.child_a.pk}/edit/", {
        "legal_first_name": "Alfie", "legal_last_name": "Adams", "date_of_birth": "2018-05-01", "enrolled_on": "2024-09-01",
        "setting": world.school.pk, "group": foreign.pk,
    })
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()


def test_carer_form_requires_the_details_of_the_preferred_method(world, client_for):
    r = client_for(world.admin_office).post(f"/families/{world.family_a.pk}/carers/new/", {
        "first_name": "Pat", "last_name": "Adams", "relationship": "father", "preferred_contact_method": "email",
        "contact_order": 2, "contact_restriction": "court_order",
    })
    html = r.content.decode()
    assert r.status_code == 400
    assert "E-mail is the preferred method: give an e-mail address." in html
    assert "Say what the restriction is" in html


def test_adding_a_carer(world, client_for):
    r = client_for(world.admin_office).post(f"/families/{world.family_a.pk}/carers/new/", {
        "first_name": "Pat", "last_name": "Adams", "relationship": "father", "preferred_contact_method": "email",
        "email": "pat@example.org", "contact_order": 2, "first_language": "Polish",
    })
    assert r.status_code == 302
    html = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "Pat Adams" in html and "pat@example.org" in html


@pytest.mark.parametrize("payload", [
    {"date_of_birth": "9999-99-99"}, {"setting": "abc"}, {"group": "-1"}, {"has_ehcp": "maybe"},
    {"legal_first_name": "x" * 5000}, {"upn": "\x00\x01"}, {"left_on": "2000-01-01", "enrolled_on": "2024-01-01"},
])
def test_no_input_makes_a_server_error(world, client_for, payload):
    base = {"legal_first_name": "A", "legal_last_name": "B", "date_of_birth": "2018-01-01", "enrolled_on": "2024-09-01", "setting": world.school.pk}
    r = client_for(world.admin_office).post(f"/families/children/{world.child_a.pk}/edit/", {**base, **payload})
    assert r.status_code in (302, 400)
