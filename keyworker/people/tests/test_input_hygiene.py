"""Names and dates of children, carers and families: the same rules in the forms, the API and imports."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from keyworker.imports.checks import check_children, check_staff
from keyworker.imports.mapping import guess_mapping
from keyworker.imports.reading import read_table
from keyworker.people.models import Child

ZOE_COMPOSED, ZOE_DECOMPOSED = "Zo\u00eb", "Zoe\u0308"
RLO = "\u202e"  # right-to-left override: "Amy\u202eevaD" shows as "AmyDave"


def _api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def child_payload(world, **overrides):
    data = {"legal_first_name": "Dora", "legal_last_name": "Adams", "date_of_birth": "2019-03-14",
            "family": world.family_a.pk, "setting": world.school.pk, "class": world.class_a.pk,
            "enrolled_on": "2024-09-04"}
    data.update(overrides)
    return data


def child_form(world, **overrides):
    data = {"legal_first_name": "Dora", "legal_last_name": "Adams", "date_of_birth": "2019-03-14",
            "setting": world.school.pk, "group": world.class_a.pk, "enrolled_on": "2024-09-04"}
    data.update(overrides)
    return data


# Forms -------------------------------------------------------------------------------------------------------


def test_a_name_typed_with_a_combining_diaeresis_is_stored_composed(world, client_for):
    url = reverse("people:child_add", args=[world.family_a.pk])
    response = client_for(world.admin_office).post(url, child_form(world, legal_first_name=ZOE_DECOMPOSED))
    assert response.status_code == 302
    assert Child.objects.filter(legal_first_name=ZOE_COMPOSED).count() == 1


@pytest.mark.parametrize("bad", [f"Amy{RLO}evaD", "Amy\u200b", "Amy\nBob", "Amy\tBob"])
def test_the_child_form_refuses_hidden_characters_with_a_field_message(world, client_for, bad):
    url = reverse("people:child_add", args=[world.family_a.pk])
    response = client_for(world.admin_office).post(url, child_form(world, legal_first_name=bad))
    assert response.status_code == 400
    assert response.context["form"].errors["legal_first_name"]
    assert not Child.objects.filter(legal_last_name="Adams", legal_first_name__startswith="Amy").exists()


@pytest.mark.parametrize("field, value", [("date_of_birth", "1899-12-31"), ("date_of_birth", "2207-01-01"),
                                          ("enrolled_on", "2099-09-01"), ("enrolled_on", "0202-09-01")])
def test_the_child_form_refuses_dates_that_cannot_be_true(world, client_for, field, value):
    url = reverse("people:child_add", args=[world.family_a.pk])
    response = client_for(world.admin_office).post(url, child_form(world, **{field: value}))
    assert response.status_code == 400
    assert "check the year" in response.context["form"].errors[field][0]


def test_the_family_and_carer_forms_refuse_hidden_characters(world, client_for):
    client = client_for(world.admin_office)
    response = client.post(reverse("people:family_add"), {"name": f"The {RLO}Adams family"})
    assert response.status_code == 400 and response.context["form"].errors["name"]
    response = client.post(reverse("people:carer_add", args=[world.family_a.pk]), {
        "first_name": "Ann\u200d", "last_name": "Adams", "relationship": "mother", "phone": "07700 900456",
        "preferred_contact_method": "phone", "contact_order": 1,
    })
    assert response.status_code == 400 and response.context["form"].errors["first_name"]


def test_the_staff_and_class_forms_refuse_hidden_characters(world, client_for):
    from keyworker.accounts.forms import StaffForm
    from keyworker.organisations.forms import GroupForm, SettingForm

    staff = StaffForm({"full_name": "Kim\u2066 Keyworker", "email": "k@example.org"}, organisation=world.org)
    assert not staff.is_valid() and staff.errors["full_name"]
    group = GroupForm({"name": "Ash\u200b"}, setting=world.school)
    assert not group.is_valid() and group.errors["name"]
    setting = SettingForm({"name": "Test\nPrimary", "kind": "school", "jurisdiction": "england", "time_zone": "Europe/London"})
    assert not setting.is_valid() and setting.errors["name"]
    named = GroupForm({"name": ZOE_DECOMPOSED}, setting=world.school)
    assert named.is_valid() and named.cleaned_data["name"] == ZOE_COMPOSED


# API ---------------------------------------------------------------------------------------------------------


def test_the_api_stores_names_composed(world):
    response = _api(world.admin_office).post("/api/v1/children/", child_payload(world, legal_first_name=ZOE_DECOMPOSED),
                                             format="json")
    assert response.status_code == 201, response.content
    assert response.json()["legal_first_name"] == ZOE_COMPOSED


@pytest.mark.parametrize("url, payload, field", [
    ("/api/v1/children/", {"legal_last_name": f"Ad{RLO}ams"}, "legal_last_name"),
    ("/api/v1/children/", {"preferred_name": "Dot\ufeff"}, "preferred_name"),
    ("/api/v1/families/", {"name": "The\tAdams family"}, "name"),
    ("/api/v1/carers/", {"first_name": "Ann\u2060"}, "first_name"),
])
def test_the_api_refuses_hidden_characters_with_a_field_message(world, url, payload, field):
    base = {
        "/api/v1/children/": child_payload(world),
        "/api/v1/families/": {"name": "The Adams family"},
        "/api/v1/carers/": {"family": world.family_a.pk, "first_name": "Ann", "last_name": "Adams",
                            "relationship": "mother", "phone": "07700 900456", "preferred_contact_method": "phone"},
    }[url]
    response = _api(world.admin_office).post(url, {**base, **payload}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("field, value", [("date_of_birth", "1850-01-01"), ("enrolled_on", "2199-09-01")])
def test_the_api_refuses_dates_that_cannot_be_true(world, field, value):
    response = _api(world.admin_office).post("/api/v1/children/", child_payload(world, **{field: value}), format="json")
    assert response.status_code == 400
    assert "check the year" in response.json()["errors"][field][0]


# Imports -----------------------------------------------------------------------------------------------------

HEAD = ["Forename", "Surname", "DOB", "Class", "Admission Date", "Contact 1 Forename", "Contact 1 Surname",
        "Contact 1 Relationship", "Contact 1 Mobile"]


def _check(world, rows, kind="children"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    table = read_table("x.csv", buf.getvalue().encode())
    fn = check_children if kind == "children" else check_staff
    return fn(table=table, mapping=guess_mapping(kind, table.headers), setting=world.school)


def test_an_import_refuses_hidden_characters_and_impossible_dates_per_row(world):
    result = _check(world, [
        HEAD,
        ["Amy", "Reed", "04/05/2019", "Ash", "01/09/2023", "Kate", "Reed", "Mum", "07700 900101"],
        [f"Amy{RLO}", "Reed", "04/05/2019", "Ash", "01/09/2023", "Kate", "Reed", "Mum", "07700 900101"],
        ["Ben", "Reed", "04/05/1850", "Ash", "01/09/2023", "Kate", "Reed", "Mum", "07700 900101"],
        ["Cal", "Reed", "04/05/2019", "Ash", "01/09/2099", "Kate", "Reed", "Mum", "07700 900101"],
        ["Dan", "Reed", "04/05/2019", "Ash", "01/09/2023", "Kate\u200b", "Reed", "Mum", "07700 900101"],
    ])
    problems = {p.line: p.errors for p in result.problem_list()}
    assert 2 not in problems
    assert problems[3] == ["First name: Remove the hidden text-direction character (often pasted from another document)."]
    assert problems[4] == ["Date of birth 4/5/1850: Enter a date in 1900 or later (check the year)."]
    assert problems[5][0].startswith("Admission date 1/9/2099: Enter a date no later than")
    assert problems[6] == ["Contact 1 first name: Remove the invisible zero-width character (often pasted from another document)."]


def test_an_import_stores_names_composed_so_the_same_child_is_found_twice(world):
    result = _check(world, [
        HEAD,
        [ZOE_DECOMPOSED, "Reed", "04/05/2019", "Ash", "01/09/2023", "Kate", "Reed", "Mum", "07700 900101"],
        [ZOE_COMPOSED, "Reed", "04/05/2019", "Ash", "01/09/2023", "Kate", "Reed", "Mum", "07700 900101"],
    ])
    problems = {p.line: p.errors for p in result.problem_list()}
    assert "is also on line 3" in problems[2][0]  # one child, not two


def test_a_staff_import_refuses_hidden_characters(world):
    result = _check(world, [["Name", "Email", "Roles"], ["Kim\u202dKeyworker", "kim@example.org", "Teacher"]], kind="staff")
    assert result.problem_list()[0].errors[0].startswith("Name: Remove the hidden text-direction character")


# Contacts and marks ------------------------------------------------------------------------------------------


def test_a_follow_up_date_years_ahead_is_refused(world):
    import datetime as dt

    from keyworker.contacts.services import contact_record
    from keyworker.core.errors import RuleViolation

    with pytest.raises(RuleViolation) as refused:
        contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=dt.date(2026, 11, 18),
                       channel="phone", tone="neutral", write_up="Talked about the trip and agreed to meet on Friday.",
                       follow_up="Meet on Friday", follow_up_on=dt.date(2206, 11, 20))
    assert refused.value.field == "follow_up_on" and "check the year" in refused.value.message


def test_a_mark_dated_before_1900_is_refused_with_its_own_message(world):
    import datetime as dt

    from keyworker.attendance.services import MarkEntry, MarksRefused, marks_record_bulk

    with pytest.raises(MarksRefused) as refused:
        marks_record_bulk(actor=world.actor(world.teacher_a),
                          entries=[MarkEntry(child=world.child_a, date=dt.date(1826, 11, 18), session="AM", code="/")])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("date", "Enter a date in 1900 or later (check the year).")]
