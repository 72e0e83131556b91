"""The UPN check letter: valid numbers pass, mistyped ones are named, and real CTF data is flagged as it should be."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from keyworker.people.upn import upn_check_letter, upn_problem

CTF_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "ctf"


def test_check_letter_matches_the_dfe_algorithm():
    # Sum of digit x position (2..13) for "201234567890" = 424 -> 424 % 23 = 10 -> "L"
    body = "201234567890"
    assert sum(int(c) * w for w, c in enumerate(body, start=2)) % 23 == 10
    assert upn_check_letter(body) == "L"
    assert upn_problem("L" + body) == ""


def test_a_wrong_check_letter_is_named():
    assert upn_problem("A201234567890") == "The check letter should be L, not A: the UPN may be mistyped."


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("A12345", "A UPN has 13 characters; this one has 6."),
        ("A2012345678X0", "A UPN is a letter, 11 digits and a digit or letter."),
        ("", ""),
    ],
)
def test_malformed_upns(upn, message):
    assert upn_problem(upn) == message


def test_temporary_upn_ending_in_a_letter_is_checked():
    body = "20123456789A"
    letter = upn_check_letter(body)
    assert letter is not None
    assert upn_problem(letter + body) == ""


def test_lower_case_and_spaces_are_tolerated():
    assert upn_problem("  l201234567890 ") == ""


@pytest.mark.skipif(not CTF_DIR.is_dir(), reason="shared test data (real CTF files) not present")
def test_real_common_transfer_files_three_of_five_upns_fail():
    upns = set()
    for path in CTF_DIR.glob("*.xml"):
        for el in ET.parse(path).getroot().iter("UPN"):
            if el.text:
                upns.add(el.text.strip())
    assert len(upns) == 5
    assert sum(1 for u in upns if upn_problem(u)) == 3
