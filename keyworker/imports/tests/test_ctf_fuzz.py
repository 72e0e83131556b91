"""The CTF reader under generated input: whatever the bytes, it answers with pupils or a RuleViolation in words
(field "file"), never another exception. Inputs it once failed on are kept as examples."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keyworker.core.errors import RuleViolation
from keyworker.imports.ctf_reading import read_ctf

from .test_ctf_import import ctf

FIXTURE = ctf("transfer_full.xml")
LINES = FIXTURE.split(b"\n")


def _read(data: bytes) -> None:
    try:
        found = read_ctf(data)
    except RuleViolation as exc:
        assert exc.message and exc.field == "file"
        return
    assert found.pupils
    for pupil in found.pupils:
        assert all(isinstance(m, str) and m for m in pupil.errors + pupil.warnings)
        assert len(pupil.upn) <= 20 and all(c.order >= 0 for c in pupil.contacts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
@example(b"<CTfile/>")
@example(b"<CTfile><Header><CTFversion>x</CTFversion></Header></CTfile>")
@example(b"<?xml version='1.0' encoding='latin-1'?><CTfile><Header><CTFversion>19</CTFversion></Header></CTfile>")
@example(b"\xff\xfe<\x00")
def test_any_bytes(data):
    _read(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(LINES) - 1),
                          st.sampled_from([b"", b"<", b"&amp;", b"\xe9", b"<Order>-1</Order>", b"<DOB>2015-02-30</DOB>",
                                           b"<NCyearActual>99</NCyearActual>", b"<SENtypeRank>x</SENtypeRank>",
                                           b"<Year>1800</Year>", b"<CTFversion>18.9</CTFversion>",
                                           b"<Language></Language>", b"<SessionsPossible>-3</SessionsPossible>"])),
                max_size=6))
@example([(0, b"\xe9")])
@example([(30, b"<NCyearActual>99</NCyearActual>")])
def test_a_real_file_with_lines_changed(changes):
    lines = list(LINES)
    for index, text in changes:
        lines[index] = text
    _read(b"\n".join(lines))


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(["POL", "ENG", "Tigrinya", ""]))
def test_names_and_languages_survive_the_plan(world, forename, surname, language):
    from xml.sax.saxutils import escape

    from keyworker.imports.ctf_services import ctf_plan
    document = (f"<?xml version='1.0' encoding='utf-8'?><CTfile><Header><CTFversion>19.0</CTFversion></Header>"
                f"<CTFpupilData><Pupil><Surname>{escape(surname)}</Surname><Forename>{escape(forename)}</Forename>"
                f"<DOB>2016-01-01</DOB><BasicDetails><Languages><Type><LanguageType>F</LanguageType>"
                f"<Language>{escape(language)}</Language></Type></Languages></BasicDetails></Pupil></CTFpupilData>"
                f"</CTfile>").encode("utf-8", "surrogatepass")
    try:
        found = read_ctf(document)
    except RuleViolation:
        return
    plan = ctf_plan(actor=world.actor(world.admin_office), setting=world.school, ctf=found)
    assert len(plan.pupils) == 1
