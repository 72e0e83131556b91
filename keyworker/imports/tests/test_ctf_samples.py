"""Real Common Transfer Files (shared test data), read as rows: their bad UPN check letters warn and keep the pupils.

Skipped when the shared folder is absent.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from keyworker.imports.checks import check_children
from keyworker.imports.mapping import guess_mapping
from keyworker.imports.reading import Table

CTF_DIR = Path(__file__).resolve().parents[4] / "shared" / "testdata" / "ctf"
HEADERS = ["UPN", "Forename", "Surname", "DOB", "Contact 1 Title", "Contact 1 Forename", "Contact 1 Surname",
           "Contact 1 Relationship", "Contact 1 Parental Responsibility", "Contact 1 Email", "Contact 1 Telephone"]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CTF_DIR.is_dir() or not any(CTF_DIR.glob("*.xml")), reason="no CTF samples here"),
]


def _text(el: ET.Element | None, path: str) -> str:
    found = el.find(path) if el is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def ctf_table() -> Table:
    table = Table(headers=HEADERS)
    for path in sorted(CTF_DIR.glob("*.xml")):
        root = ET.parse(path).getroot()
        for pupil in root.iter("Pupil"):
            contacts = sorted(pupil.iter("Contact"), key=lambda c: int(_text(c, "Order") or 99))
            first = contacts[0] if contacts else None
            table.rows.append([
                _text(pupil, "UPN"), _text(pupil, "Forename"), _text(pupil, "Surname"), _text(pupil, "DOB"),
                _text(first, "Title"), _text(first, "Forename"), _text(first, "Surname"), _text(first, "Relationship"),
                _text(first, "Responsibility"), _text(first, "Email"), _text(first, "Phones/Phone/PhoneNo"),
            ])
            table.lines.append(len(table.rows) + 1)
    return table


def test_ctf_pupils_with_bad_check_letters_are_kept_with_a_warning(world):
    table = ctf_table()
    result = check_children(table=table, mapping=guess_mapping("children", HEADERS), setting=world.school)
    assert not result.has_errors, result.report()["problems"]
    assert result.counts["children"] == len(table.rows) == 5
    upn_warnings = [w for p in result.problem_list() for w in p.warnings if w.startswith("UPN ")]
    assert len(upn_warnings) == 3
    assert all("check letter should be" in w for w in upn_warnings)
    mothers = [c for f in result.families for c in f.carers if c.relationship == "mother"]
    assert mothers and all(c.parental_responsibility for c in mothers)
