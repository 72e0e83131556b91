"""Guessing the column mapping from MIS header names, and overriding it."""

import pytest

from keyworker.core.errors import RuleViolation
from keyworker.imports.mapping import (
    column_label,
    guess_mapping,
    mapping_problems,
    mapping_with_overrides,
)
from keyworker.imports.reading import read_table

from .conftest import sample


def test_sims_style_headers_are_guessed():
    headers = [
        "Legal Forename", "Surname", "DOB", "UPN", "Reg Group", "NC Year", "Admission Date", "SEN Status", "Household",
        "Contact 1 Forename", "Contact 1 Surname", "Contact 1 Relationship", "Contact 1 Parental Responsibility",
        "Contact 1 Mobile", "Contact 1 Email", "Contact 1 Preferred Contact Method", "Contact 1 Language",
        "Contact 1 Court Order", "Contact 2 Forename", "Contact 2 Telephone", "First Language", "Religion",
        "Medical Conditions", "Allergies",
    ]
    m = guess_mapping("children", headers)
    expect = {
        "legal_first_name": "Legal Forename", "legal_last_name": "Surname", "date_of_birth": "DOB", "upn": "UPN",
        "group": "Reg Group", "year_group": "NC Year", "enrolled_on": "Admission Date", "has_ehcp": "SEN Status",
        "household": "Household", "carer1_first_name": "Contact 1 Forename", "carer1_last_name": "Contact 1 Surname",
        "carer1_relationship": "Contact 1 Relationship",
        "carer1_parental_responsibility": "Contact 1 Parental Responsibility", "carer1_phone": "Contact 1 Mobile",
        "carer1_email": "Contact 1 Email", "carer1_preferred_method": "Contact 1 Preferred Contact Method",
        "carer1_language": "Contact 1 Language", "carer1_restriction": "Contact 1 Court Order",
        "carer2_first_name": "Contact 2 Forename", "carer2_phone": "Contact 2 Telephone",
        "first_language": "First Language", "religion": "Religion", "medical_needs": "Medical Conditions",
        "allergies": "Allergies",
    }
    assert {k: headers[v] for k, v in m.items()} == expect


@pytest.mark.parametrize(("header", "field"), [
    ("Forename", "legal_first_name"), ("First name", "legal_first_name"), ("FIRST_NAME", "legal_first_name"),
    ("Date of Birth", "date_of_birth"), ("Date of birth (dd/mm/yyyy)", "date_of_birth"), ("Class", "group"),
    ("Form", "group"), ("Year", "year_group"), ("EHCP", "has_ehcp"), ("Family ID", "household"),
    ("Address Block", "household"), ("Medical", "medical_needs"), ("Primary Contact Email", "carer1_email"),
    ("Contact1 E-mail", "carer1_email"), ("Parent 2 Telephone", "carer2_phone"),
    ("Contact 2 Restriction", "carer2_restriction"), ("Contact 1 Name", "carer1_full_name"),
])
def test_synonyms(header, field):
    assert guess_mapping("children", ["Surname", header]).get(field) == 1


def test_each_column_is_guessed_once_and_unknown_headers_are_left():
    m = guess_mapping("children", ["Forename", "Forename", "Shoe size", ""])
    assert m == {"legal_first_name": 0}


def test_staff_headers():
    table = read_table("staff.csv", sample("staff.csv"))
    m = guess_mapping("staff", table.headers)
    assert set(m) == {"full_name", "email", "job_title", "staff_code", "roles", "groups"}


def test_overrides_from_the_command_line():
    headers = ["Forename", "Surname", "Birthday", "Tutor"]
    base = guess_mapping("children", headers)
    m = mapping_with_overrides("children", headers, base, ["tutor=group", "=legal_last_name"])
    assert m["group"] == 3 and "legal_last_name" not in m
    with pytest.raises(RuleViolation, match="no column"):
        mapping_with_overrides("children", headers, base, ["Shoe size=group"])
    with pytest.raises(RuleViolation, match="column=field"):
        mapping_with_overrides("children", headers, base, ["Tutor=shoe_size"])


def test_mapping_problems_name_what_is_missing():
    problems = mapping_problems("children", ["A", "B"], {"legal_first_name": 0, "upn": 7, "shoe": 1})
    text = " ".join(problems)
    assert "no column number 7" in text
    assert "“shoe” is not something" in text
    assert "legal surname" in text and "date of birth" in text
    assert mapping_problems("staff", ["E"], {"email": 0}) == [
        "Choose the column with the full name, or the columns with the first name and surname."
    ]


def test_column_labels_use_spreadsheet_letters():
    headers = ["Forename"] + [""] * 27
    assert column_label(headers, 0) == "A: Forename"
    assert column_label(headers, 27) == "Column AB"


def test_a_column_named_on_purpose_leaves_the_field_it_was_guessed_for():
    headers = ["Forename", "Family", "DOB"]
    base = guess_mapping("children", headers)
    assert base["household"] == 1
    m = mapping_with_overrides("children", headers, base, ["Family=legal_last_name"])
    assert m == {"legal_first_name": 0, "legal_last_name": 1, "date_of_birth": 2}
