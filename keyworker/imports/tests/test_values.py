"""Reading cells as MIS exports write them: dates, yes/no, relationships, contact methods, restrictions, names."""

import datetime as dt

import pytest

from keyworker.imports.values import (
    BadValue,
    parse_contact_method,
    parse_date,
    parse_ehcp,
    parse_relationship,
    parse_restriction,
    parse_yes_no,
    phone_key,
    split_full_name,
)


@pytest.mark.parametrize("text", [
    "13/11/2008", "2008-11-13", "13-11-2008", "13.11.2008", "13/11/08", "13 Nov 2008", "13 November 2008",
    "2008-11-13 00:00:00", "2008-11-13T00:00:00", "39765", " 13/11/2008 ",
])
def test_dates(text):
    assert parse_date(text, pivot=26) == dt.date(2008, 11, 13)


def test_excel_dates():
    assert parse_date(dt.datetime(2008, 11, 13, 0, 0)) == dt.date(2008, 11, 13)
    assert parse_date(dt.date(2008, 11, 13)) == dt.date(2008, 11, 13)
    assert parse_date(39765) == dt.date(2008, 11, 13)
    assert parse_date(None) is None and parse_date("  ") is None


@pytest.mark.parametrize("text", ["31/02/2019", "13/13/2008", "next Tuesday", "2008", "11/2008", "12"])
def test_bad_dates(text):
    with pytest.raises(BadValue):
        parse_date(text)


def test_two_digit_years_pivot():
    assert parse_date("01/09/26", pivot=26) == dt.date(2026, 9, 1)
    assert parse_date("01/09/27", pivot=26) == dt.date(1927, 9, 1)


@pytest.mark.parametrize(("text", "value"), [
    ("Mum", "mother"), ("MOTHER", "mother"), ("PAM", "mother"), ("Dad", "father"), ("Father", "father"),
    ("Step-father", "step_parent"), ("Nan", "grandparent"), ("Grandmother", "grandparent"),
    ("Foster carer", "foster_carer"), ("Special guardian", "guardian"), ("Aunt", "other_relative"),
    ("OTH", "other"), ("Childminder", "other"),
])
def test_relationships(text, value):
    assert parse_relationship(text) == value


def test_parent_alone_uses_the_title():
    assert parse_relationship("Parent", title="Mrs") == "mother"
    assert parse_relationship("Parent", title="Mr") == "father"
    assert parse_relationship("Parent") == "other"
    assert parse_relationship("") is None
    with pytest.raises(BadValue):
        parse_relationship("Lodger")


@pytest.mark.parametrize(("text", "value"), [
    ("Class Dojo", "messaging_app"), ("DoJo", "messaging_app"), ("app", "messaging_app"), ("Telephone", "phone"),
    ("Mobile", "phone"), ("Email", "email"), ("E-mail", "email"), ("Face to face", "face_to_face"),
    ("In person", "face_to_face"), ("face-to-face", "face_to_face"), ("Letter", "letter"),
])
def test_contact_methods(text, value):
    assert parse_contact_method(text) == value


def test_unknown_contact_method():
    assert parse_contact_method("") is None
    with pytest.raises(BadValue):
        parse_contact_method("Carrier pigeon")


def test_yes_no_ehcp_and_restrictions():
    assert parse_yes_no("Y") is True and parse_yes_no("false") is False and parse_yes_no("") is None
    with pytest.raises(BadValue):
        parse_yes_no("perhaps")
    assert parse_ehcp("E") is True and parse_ehcp("K") is False and parse_ehcp("N") is False and parse_ehcp("") is False
    with pytest.raises(BadValue):
        parse_ehcp("maybe")
    assert parse_restriction("No") == "" and parse_restriction("Y") == "court_order"
    assert parse_restriction("No contact") == "no_contact" and parse_restriction("Info only") == "information_only"
    with pytest.raises(BadValue):
        parse_restriction("see file")


def test_names_and_phones():
    assert split_full_name("Mrs Jeanie Richie") == ("Mrs", "Jeanie", "Richie")
    assert split_full_name("Richie, Mac") == ("", "Mac", "Richie")
    assert split_full_name("Mr Richie") == ("Mr", "", "Richie")
    assert phone_key("+44 7700 900123") == phone_key("07700 900123") == "07700900123"
