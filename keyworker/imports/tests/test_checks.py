"""Checking rows: every kind of error with its line, warnings that keep the row, duplicates, siblings."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.imports.checks import check_children, check_staff
from keyworker.imports.mapping import guess_mapping
from keyworker.imports.reading import read_table
from keyworker.people.upn import upn_check_letter

from .conftest import sample

pytestmark = pytest.mark.django_db


def upn(serial: int, bad: bool = False) -> str:
    body = f"8233321{serial:05d}"
    letter = upn_check_letter(body)
    return ("A" if letter != "A" else "B") + body if bad else letter + body


def table(rows: list[list[str]]):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return read_table("x.csv", buf.getvalue().encode())


def check(world, rows, kind="children"):
    t = table(rows)
    fn = check_children if kind == "children" else check_staff
    return fn(table=t, mapping=guess_mapping(kind, t.headers), setting=world.school)


def by_line(result) -> dict[int, dict]:
    return {p.line: p for p in result.problem_list()}


HEAD = ["Forename", "Surname", "DOB", "UPN", "Class", "Admission Date", "Household", "Contact 1 Forename",
        "Contact 1 Surname", "Contact 1 Relationship", "Contact 1 Mobile", "Contact 1 Email",
        "Contact 1 Preferred Contact Method"]


def kid(first="Amy", last="Reed", dob="04/05/2019", upn_="", cls="Ash", adm="01/09/2023", hh="", cf="Kate", cl="Reed",
        rel="Mum", phone="07700 900101", email="kate@example.org", method="Telephone"):
    return [first, last, dob, upn_, cls, adm, hh, cf, cl, rel, phone, email, method]


def test_bad_file_reports_every_error_with_its_line(world):
    t = read_table("children_bad.csv", sample("children_bad.csv"))
    result = check_children(table=t, mapping=guess_mapping("children", t.headers), setting=world.school)
    p = by_line(result)
    assert result.has_errors
    assert p[3].errors == ["Surname is missing."]
    assert "is not a real date" in p[4].errors[0]
    assert p[5].errors == ["Date of birth 1/1/2030 is in the future."]
    assert p[6].errors == ["“Willow” is not a class at Test Primary. The classes there are: Ash, Beech."]
    assert "is not a valid e-mail address" in p[7].errors[0]
    assert "“Lodger” is not a relationship" in p[8].errors[0]
    assert "“Carrier pigeon” is not a contact method" in p[9].errors[0]
    assert p[10].errors == ["Admission date 1/9/2018 is before the date of birth 10/10/2019."]
    assert "is also on line 12" in p[11].errors[0] and "is also on line 11" in p[12].errors[0]
    assert p[13].errors == [] and "check letter" in p[13].warnings[0]
    assert "“maybe”" in p[14].errors[0]
    assert p[15].errors == ["Date of birth is missing."]
    assert 2 not in p  # the good row
    assert result.error_rows == 12


def test_good_file_has_siblings_and_no_errors(world):
    t = read_table("children_good.csv", sample("children_good.csv"))
    result = check_children(table=t, mapping=guess_mapping("children", t.headers), setting=world.school)
    assert not result.has_errors
    assert result.counts == {"children": 20, "families": 14, "existing_families": 0, "carers": 21}
    patel = next(f for f in result.families if f.name == "The Patel family")
    assert [c.legal_first_name for c in patel.children] == ["Aarav", "Diya", "Kavya"]
    assert [(c.first_name, c.relationship, c.preferred_contact_method) for c in patel.carers] == [
        ("Priya", "mother", "messaging_app"), ("Raj", "father", "email")]
    hughes = next(f for f in result.families if f.name == "The Hughes family")
    assert hughes.carers[0].parental_responsibility is False  # "No" in the file


def test_upn_with_a_wrong_check_letter_is_a_warning_and_keeps_the_pupil(world):
    result = check(world, [HEAD, kid(upn_=upn(5, bad=True))])
    assert not result.has_errors
    assert "check letter" in result.problem_list()[0].warnings[0]
    assert result.counts["children"] == 1


def test_upn_too_long_is_an_error(world):
    result = check(world, [HEAD, kid(upn_=upn(5) + "99")])
    assert "too long" in result.problem_list()[0].errors[0]


def test_upn_already_in_the_organisation_is_skipped_not_doubled(world):
    world.child_a.upn = upn(7)
    world.child_a.save()
    result = check(world, [HEAD, kid(upn_=upn(7)), kid(first="Ben", upn_=upn(8))])
    p = result.problem_list()[0]
    assert p.line == 2 and p.skipped and p.errors == []
    assert p.warnings == ["Already on roll as Alfie Adams: skipped."]
    assert result.counts["children"] == 1 and result.skipped_count == 1


def test_upn_in_another_organisation_is_not_a_clash(world):
    from keyworker.people.models import Child

    Child.objects.filter(organisation=world.other_org).update(upn=upn(7))
    result = check(world, [HEAD, kid(upn_=upn(7))])
    assert result.problems == {} and result.counts["children"] == 1


def test_same_name_and_birth_date_already_on_roll_is_skipped(world):
    result = check(world, [HEAD, kid(first="Alfie", last="Adams", dob="01/05/2018")])
    assert result.problem_list()[0].warnings == ["Already on roll as Alfie Adams: skipped."]


def test_same_child_twice_without_upn_is_an_error(world):
    result = check(world, [HEAD, kid(), kid()])
    assert [p.line for p in result.problem_list() if p.errors] == [2, 3]


def test_without_household_siblings_share_the_first_carers_contact_and_surname(world):
    rows = [HEAD, kid(first="Amy"), kid(first="Ben", dob="01/01/2018", email="KATE@example.org"),
            kid(first="Cal", last="Other", email="kate@example.org"),
            kid(first="Dan", last="Phone", email="", phone="+44 7700 900555"),
            kid(first="Eve", last="Phone", dob="02/02/2018", email="", phone="07700 900555")]
    result = check(world, rows)
    names = sorted((f.name, len(f.children)) for f in result.families)
    assert names == [("The Other family", 1), ("The Phone family", 2), ("The Reed family", 2)]
    assert result.counts["carers"] == 3  # Kate Reed once for both Reed children


def test_household_reference_of_an_existing_family_adds_the_child_to_it(world):
    ref = world.family_a.mis_reference
    result = check(world, [HEAD, kid(hh=ref)])
    family = result.families[0]
    assert family.existing_id == world.family_a.pk and family.carers == []
    assert result.counts == {"children": 1, "families": 0, "existing_families": 1, "carers": 0}


def test_contact_details_and_defaults(world):
    head = ["Forename", "Surname", "DOB", "Contact 1 Name", "Contact 1 Relationship", "Contact 1 Email",
            "Contact 1 Court Order", "Contact 2 Forename", "Contact 2 Telephone"]
    result = check(world, [head, ["Amy", "Reed", "04/05/2019", "Mrs Kate Reed", "Parent", "k@example.org", "Yes",
                                  "Jo", "n/a"]])
    carers = result.families[0].carers
    assert (carers[0].title, carers[0].first_name, carers[0].last_name) == ("Mrs", "Kate", "Reed")
    assert carers[0].relationship == "mother" and carers[0].parental_responsibility is True
    assert carers[0].preferred_contact_method == "email" and carers[0].contact_restriction == "court_order"
    assert carers[1].last_name == "Reed" and carers[1].phone == ""
    warnings = " ".join(result.problem_list()[0].warnings)
    assert "court order" in warnings and "no surname" in warnings


def test_contact_with_details_but_no_name_is_an_error(world):
    result = check(world, [HEAD, kid(cf="", cl="", last="")])
    assert "Contact 1 has a phone number or e-mail address but no name." in result.problem_list()[0].errors


def test_class_names_match_loosely_and_the_year_comes_from_the_class(world):
    result = check(world, [HEAD, kid(cls="  ash "), kid(first="Ben", cls="Class Beech")])
    assert not result.has_errors
    assert [c.year_group for f in result.families for c in f.children] == ["Year 3", "Year 4"]


def test_too_long_values_are_errors_not_database_failures(world):
    result = check(world, [HEAD, kid(first="A" * 81)])
    assert "First name is too long (81 characters; at most 80)." in result.problem_list()[0].errors


def test_checking_is_set_based(world):
    small = [HEAD] + [kid(first=f"K{i}", upn_=upn(100 + i)) for i in range(5)]
    large = [HEAD] + [kid(first=f"K{i}", upn_=upn(100 + i), hh=f"H{i}") for i in range(200)]
    with CaptureQueriesContext(connection) as few:
        check(world, small)
    with CaptureQueriesContext(connection) as many:
        check(world, large)
    assert len(many) == len(few) <= 4


def test_staff_checks(world):
    head = ["Name", "Email", "Roles", "Classes"]
    result = check(world, [
        head,
        ["Rachel Green", "rachel@example.org", "teacher", "Ash"],
        ["", "bad@", "cook", "Willow"],
        ["Ada Again", world.admin_office.user.email, "admin_office", ""],
        ["Twin One", "twin@example.org", "Teaching assistant", ""],
        ["Twin Two", "TWIN@example.org", "", ""],
        ["Manager Mo", "mo@example.org", "manager", ""],
    ], kind="staff")
    p = by_line(result)
    assert 2 not in p
    assert p[3].errors[0] == "Name is missing."
    assert "not a valid e-mail" in p[3].errors[1]
    assert "Role “cook” is not a role" in p[3].errors[2] and "“Willow” is not a class" in p[3].errors[3]
    assert p[4].skipped and p[4].warnings == ["Already a staff member here as Ada Admin: skipped."]
    assert "also on line 6" in p[5].errors[0] and "No role given" in p[6].warnings[0]
    assert p[7].warnings == ["Manager is a childcare role, and Test Primary is a school."]
