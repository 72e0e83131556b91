"""The built-in templates: every clause of the two source policies, as data the engine and validation accept."""

import pytest

from keyworker.accounts.capabilities import DEFAULT_ROLES
from keyworker.standards import catalogue, engine
from keyworker.standards.models import Cadence, Responsible, Subject
from keyworker.standards.validation import MAX_N

ROLE_CODES = {r[0] for r in DEFAULT_ROLES}
ALL = [(t.code, s) for t in catalogue.TEMPLATES.values() for s in t.standards]


def test_the_school_template_has_every_minimum_standard():
    clauses = [s.clause for s in catalogue.SCHOOL.standards]
    # SCH-5 has two parts, each under a reference of its own: each unexplained absence challenged (SCH-5a), and each
    # attendance concern followed up (SCH-5b).
    # SCH-11 was added with the carers' portal (messages answered within 2 school days); the source's own keep theirs.
    # The EHCP annual review's statutory steps (SEND Code of Practice) follow under references of their own, SCH-R1..R7.
    # SCH-10 likewise: the visit dates told to the family before the first visit (SCH-10a), and each visit written
    # up and shared with the family (SCH-10b).
    assert clauses == ["SCH-A1", *[f"SCH-{i}" for i in range(1, 5)], "SCH-5a", "SCH-5b",
                       *[f"SCH-{i}" for i in range(6, 10)], "SCH-10a", "SCH-10b", "SCH-11",
                       *[f"SCH-R{i}" for i in range(1, 8)]]
    by = {s.clause: s for s in catalogue.SCHOOL.standards}
    assert [by[c].event for c in ("SCH-5a", "SCH-5b")] == ["unexplained_absence", "attendance_concern_raised"]


@pytest.mark.parametrize("template", catalogue.TEMPLATES.values(), ids=lambda t: t.code)
def test_no_two_standards_share_a_reference(template):
    clauses = [s.clause for s in template.standards]
    assert len(clauses) == len(set(clauses))


def test_clause_order_compares_numbers_as_numbers():
    from keyworker.standards.compliance import clause_order

    clauses = ["SCH-10", "SCH-5b", "SCH-2", "SCH-5a", "SCH-5", "SCH-1", "CC-K10", "CC-K2"]
    assert sorted(clauses, key=clause_order) == ["CC-K2", "CC-K10", "SCH-1", "SCH-2", "SCH-5", "SCH-5a", "SCH-5b",
                                                 "SCH-10"]


def test_the_school_template_in_detail():
    by = {s.clause: s for s in catalogue.SCHOOL.standards}
    assert (by["SCH-A1"].cadence, by["SCH-A1"].cadence_n, by["SCH-A1"].evidence) == ("after_enrolment", 5, "key_worker_allocated")
    assert by["SCH-A1"].escalate_to_roles == ("headteacher", "deputy_headteacher")
    weekly = by["SCH-4"]
    assert (weekly.cadence, weekly.cadence_n, weekly.evidence_conditions) == ("weekly", 1, {"min_words": 5})
    assert (weekly.due_soon_days, weekly.escalate_after_days, weekly.escalate_to_roles) == (2, 5, ("deputy_headteacher",))
    assert by["SCH-2"].responsible == "admin_office" and by["SCH-2"].subject == "child"
    # Year 6 transitions: the dates 5 days before the first visit; each visit written up within 2 school days.
    assert (by["SCH-10a"].cadence, by["SCH-10a"].cadence_n, by["SCH-10a"].event, by["SCH-10a"].evidence) == (
        "before_event", 5, "transition_first_visit", "transition_dates_shared")
    assert (by["SCH-10b"].cadence, by["SCH-10b"].cadence_n, by["SCH-10b"].event, by["SCH-10b"].evidence) == (
        "after_event", 2, "transition_visit", "transition_write_up_shared")
    # Event cadences: a reminder 3 days before each appointment; briefings and wellbeing follow-ups after each event.
    assert (by["SCH-6"].cadence, by["SCH-6"].cadence_n, by["SCH-6"].event) == ("before_event", 3, "appointment")
    assert (by["SCH-3"].cadence, by["SCH-3"].event) == ("after_event", "key_aspects_changed")
    assert (by["SCH-9"].cadence, by["SCH-9"].event) == ("after_event", "wellbeing_concern")
    # Annual reviews: held within 12 months; invitations, papers and the key worker's invitation 2 weeks before; the
    # report 2 weeks after; the transfer deadlines (15 February, 31 March post-16). Each for children with an EHCP.
    assert [(by[f"SCH-R{i}"].cadence, by[f"SCH-R{i}"].cadence_n, by[f"SCH-R{i}"].event) for i in range(1, 8)] == [
        ("after_event", 365, "annual_review_due"), ("before_event", 14, "annual_review_meeting"),
        ("before_event", 14, "annual_review_meeting"), ("before_event", 14, "annual_review_meeting"),
        ("after_event", 14, "annual_review_meeting"), ("after_event", 167, "phase_transfer"),
        ("after_event", 211, "phase_transfer_post16")]
    assert all(by[f"SCH-R{i}"].conditions == {"has_ehcp": True} for i in range(1, 8))
    assert all(s.enabled for s in catalogue.SCHOOL.standards)
    # Messages through the portal: answered within 2 school days of reaching the school.
    assert (by["SCH-11"].cadence, by["SCH-11"].cadence_n, by["SCH-11"].day_count, by["SCH-11"].event, by["SCH-11"].evidence) == (
        "after_event", 2, "school", "carer_message_received", "message_answered")


def test_the_childcare_template_has_its_clauses_and_document_facts():
    t = catalogue.CHILDCARE
    by = {s.clause: s for s in t.standards}
    assert set(by) == {"CC-A1", "CC-P1", "CC-P2", "CC-K1", "CC-K2", "CC-K3", "CC-K4", "CC-K5", "CC-K6", "CC-K7", "CC-C1",
                       "CC-M1", "CC-M2", "CC-M3", "CC-M4", "CC-K8"}  # CC-K8: added with the carers' portal
    assert (by["CC-M3"].subject, by["CC-M3"].responsible) == ("setting", "manager")
    assert by["CC-K2"].setting_kinds == ("early_years",)
    assert {by[c].setting_kinds for c in ("CC-K7", "CC-C1", "CC-M4")} == {("out_of_school_care", "youth")}
    assert (by["CC-K7"].evidence, by["CC-K7"].evidence_conditions) == ("contact_log", {"min_words": 5})
    assert (by["CC-K3"].cadence, by["CC-K4"].cadence, by["CC-K4"].cadence_n) == ("termly", "weekly", 2)
    # The induction is due by the end of the first week: 4 open days after the first (a Monday start, the Friday).
    assert (by["CC-K5"].cadence_n, by["CC-K5"].day_count) == (4, "school")
    assert (by["CC-M1"].cadence_n, by["CC-M1"].responsible) == (14, "manager")
    assert (t.responsible_officer, t.author, t.source_effective_from, t.source_review_on) == ("All Managers", "Steph Grant", "2019-04-02", "2021-04-02")
    assert [v.number for v in t.source_versions] == [1, 2]


@pytest.mark.parametrize(("code", "s"), ALL, ids=[s.clause for _, s in ALL])
def test_every_standard_is_well_formed(code, s):
    assert s.description.startswith("“"), "descriptions quote the policy"
    assert s.subject in Subject.values and s.cadence in Cadence.values and s.responsible in Responsible.values
    assert 1 <= s.cadence_n <= MAX_N[Cadence(s.cadence)]
    assert set(s.conditions) <= engine.CONDITION_KEYS
    assert set(s.escalate_to_roles) <= ROLE_CODES
    assert s.evidence in catalogue.EVIDENCE_LABELS
    assert (s.escalate_after_days is None) == (not s.escalate_to_roles)
    assert catalogue.section_of(code, s.clause) == s.section
