"""The evidence pack as an inspector reads it: clauses in clause order, only the setting's own policy, the
organisation's name once, "Page n of N" on every page of the PDF, and no heading alone at the foot of a page."""

import datetime as dt
import re

import pytest

from keyworker.organisations.models import Setting
from keyworker.standards.evidence_pack import evidence_pack
from keyworker.standards.models import Cadence, Policy, PolicyVersion, Standard, Subject
from keyworker.standards.pdf import evidence_pack_pdf

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2026, 11, 2), D(2026, 12, 18)
HEADING = re.compile(r"^(SCH|CC)-\w+ |^Policy: |^Reasons given for waiving")
LONG = ("Key workers keep in touch with the family by the method the family prefers, and note what was said, what "
        "was agreed and what happens next, so that anyone reading the record later knows where things stand. ") * 3


def _policy(world, title: str, clauses: list[str], kinds: list[str]) -> Policy:
    policy = Policy.objects.create(organisation=world.org, title=title, responsible_officer="The headteacher")
    version = PolicyVersion.objects.create(organisation=world.org, policy=policy, number=1, effective_from=D(2026, 9, 1),
                                           review_on=D(2027, 9, 1))
    for clause in clauses:
        Standard.objects.create(organisation=world.org, policy_version=version, clause=clause, title=f"Standard {clause}",
                                cadence=Cadence.HALF_TERMLY, subject=Subject.FAMILY, evidence="contact_log",
                                description=LONG, setting_kinds=kinds)
    return policy


@pytest.fixture
def policies(world):
    school = _policy(world, "School key worker policy", [f"SCH-{n}" for n in (10, 2, 1, 11, 3, 9, 4, 5, 6, 7, 8)]
                     + ["SCH-5b", "SCH-5a", "SCH-A1"], ["school"])
    childcare = _policy(world, "Childcare key person policy", ["CC-D1", "CC-K1"], ["early_years", "out_of_school_care"])
    return school, childcare


def pages(raw: bytes) -> list[list[str]]:
    """The text lines drawn on each page of an uncompressed PDF, in the order drawn."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", raw, re.S):
        lines = [t.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for t in re.findall(rb"\((.*?)\) Tj", stream)]
        if lines:
            out.append(lines)
    return out


def test_clauses_in_clause_order_and_only_the_settings_own_policy(world, policies):
    pack = evidence_pack(world.actor(world.headteacher), world.school, START, END)
    assert [s.policy.title for s in pack.sections] == ["School key worker policy"]
    clauses = [c.standard.clause for s in pack.sections for c in s.clauses]
    assert clauses == ["SCH-1", "SCH-2", "SCH-3", "SCH-4", "SCH-5", "SCH-5a", "SCH-5b", "SCH-6", "SCH-7", "SCH-8",
                       "SCH-9", "SCH-10", "SCH-11", "SCH-A1"]
    assert (pack.coverage_clause, pack.document_clause) == ("SCH-A1", "")

    raw = evidence_pack_pdf(pack, compress=False)
    text = "\n".join(line for page in pages(raw) for line in page)
    assert "CC-D1" not in text and "CC-K1" not in text and "Childcare key person policy" not in text
    positions = [text.index(f"{c} Standard {c}") for c in clauses]
    assert positions == sorted(positions)


def test_a_childcare_setting_sees_the_childcare_policy_only(world, policies, client_for):
    nursery = Setting.objects.create(organisation=world.org, name="Little Acorns", kind="early_years",
                                     jurisdiction="england")
    pack = evidence_pack(world.actor(world.headteacher), nursery, START, END)
    assert [s.policy.title for s in pack.sections] == ["Childcare key person policy"]
    assert (pack.coverage_clause, pack.document_clause) == ("CC-A1", "CC-D1")


def test_the_pdf_numbers_its_pages_and_keeps_headings_with_what_follows(world, policies):
    pack = evidence_pack(world.actor(world.headteacher), world.school, START, END)
    found = pages(evidence_pack_pdf(pack, compress=False))
    total = len(found)
    assert total >= 3
    for number, lines in enumerate(found, start=1):
        assert lines[-1] == f"Page {number} of {total}"
        body = [line for line in lines[:-1] if not line.startswith("Evidence pack: ")]
        assert not HEADING.match(body[-1]), f"page {number} ends with the heading {body[-1]!r}"


def test_the_organisation_is_named_once_when_the_setting_bears_its_name(world, policies, client_for):
    world.school.name = world.org.name
    world.school.save(update_fields=["name"])
    pack = evidence_pack(world.actor(world.headteacher), world.school, START, END)
    assert pack.where == world.org.name
    first = pages(evidence_pack_pdf(pack, compress=False))[0]
    assert "Organisation and setting" in first and "Organisation" not in first
    name = world.org.name
    assert not any(f"{name}, {name}" in line for line in first)
    assert first[0] == f"Evidence pack: {name}" and first[-2].startswith(f"Evidence pack: {name}, Autumn 2")

    html = client_for(world.headteacher).get(f"/evidence-pack/?setting={world.school.pk}").content.decode()
    assert f"{world.org.name}, {world.org.name}" not in html
    assert f'<p class="lead">{world.org.name}: compliance' in html
    assert "(CC-D1)" not in html and "coverage (SCH-A1)" in html
