"""The policy editor speaks its users' words: no internal codes on screen, the plain title before the clause, every
term explained where it appears, and generated sentences in correct English (singular and plural)."""

import datetime as dt
import re

import pytest

from keyworker.standards import services
from keyworker.standards import testing as standards_testing
from keyworker.standards.changes import cadence_phrase, change_rows, change_summary, value_words
from keyworker.standards.evidence import EvidenceSource
from keyworker.standards.models import Cadence, Standard

pytestmark = pytest.mark.django_db
D = dt.date
CODES = ("min_words", "key_aspects_changed", "transition_visit", "unexplained_absence", "support_meeting",
         "---------", "(blank)", "What: ", "deputy_headteacher", "contact_log", "Class DoJo", " %")


@pytest.fixture
def policy(world):
    return services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))


@pytest.fixture
def contact_log():
    with standards_testing.replaced_evidence(EvidenceSource("contact_log", "A contact log with a write-up",
                                                            lambda *a: [], frozenset({"min_words"}))):
        yield


def visible(html: str) -> str:
    """The words a reader sees: no tags, attributes or the page's head."""
    body = html[html.index("<body"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def standard(policy, clause: str) -> Standard:
    return Standard.objects.get(policy_version__policy=policy, clause=clause)


@pytest.mark.parametrize(("n", "words"), [
    (1, "Within 1 school day after each unexplained absence"),
    (2, "Within 2 school days after each unexplained absence"),
])
def test_within_school_days_after_an_event_in_the_singular_and_the_plural(n, words):
    assert cadence_phrase(Cadence.AFTER_EVENT, n, "unexplained_absence", "school") == words


@pytest.mark.parametrize(("cadence", "n", "day_count", "words"), [
    (Cadence.WEEKLY_TERM_TIME, 1, "calendar", "Every school week, in term time"),
    (Cadence.WEEKLY_TERM_TIME, 2, "calendar", "Every 2 school weeks, in term time"),
    (Cadence.EVERY_N_MONTHS, 1, "calendar", "Every month"),
    (Cadence.EVERY_N_MONTHS, 12, "calendar", "Every 12 months"),
    (Cadence.AFTER_ENROLMENT, 1, "calendar", "Within 1 day of enrolment"),
    (Cadence.AFTER_ENROLMENT, 5, "school", "Within 5 school days of enrolment"),
    (Cadence.BEFORE_EVENT, 1, "calendar", "The day before each appointment"),
    (Cadence.BEFORE_EVENT, 3, "calendar", "3 days before each appointment"),
    (Cadence.AFTER_EVENT, 5, "calendar", "Within 5 days after each change to key aspects"),
    (Cadence.AFTER_EVENT, 2, "calendar", "Within 2 days after each transition visit"),
])
def test_every_cadence_reads_as_a_sentence(cadence, n, day_count, words):
    event = {"Within 5 days after each change to key aspects": "key_aspects_changed",
             "Within 2 days after each transition visit": "transition_visit"}.get(words, "appointment")
    phrase = cadence_phrase(cadence, n, event, day_count)
    assert phrase == words
    assert " 1 days" not in phrase and " 1 school days" not in phrase and "each a" not in phrase.replace("each appointment", "")


def test_changes_are_described_in_words_never_in_codes():
    before = {"evidence_conditions": {"min_words": 5}, "escalate_to_roles": ["deputy_headteacher"],
              "event": "", "cadence": "after_event", "cadence_n": 1, "escalate_after_days": None, "description": ""}
    after = {"evidence_conditions": {"min_words": 1}, "escalate_to_roles": ["deputy_headteacher", "headteacher"],
             "event": "", "cadence": "after_event", "cadence_n": 2, "escalate_after_days": 5, "description": "New words"}
    summary = change_summary(before, after)
    assert "What the record must show: at least 5 words in the write-up → at least 1 word in the write-up" in summary
    assert "Who is told when it escalates: Deputy headteacher → Deputy headteacher, Headteacher" in summary
    assert "Escalates when overdue by more than (days): never escalates → 5" in summary
    assert "Wording: none → New words" in summary
    for code in ("min_words", "deputy_headteacher", "(blank)", "N:", "escalate_"):
        assert code not in summary, code
    rows = change_rows(before, after, {"headteacher": "Head"})
    assert any(r["after"] == "Deputy headteacher, Head" for r in rows)
    assert value_words("evidence", "appointment_reminder") == "An appointment reminder sent"


def test_the_policy_page_names_each_standard_by_its_title_then_its_clause(world, policy, client_for, one_waiting):
    html = client_for(world.headteacher).get(f"/policies/{policy.pk}/").content.decode()
    assert 'Weekly contact with parents and carers <span class="clause">(SCH-4)</span>' in html
    assert "Within 1 school day after each unexplained absence" in html
    # A term that needs it is explained where it appears.
    assert "icons.svg#hourglass\"></use></svg> Waiting for its records</span><br><span class=\"meta\">Keyworker does not record this yet" in html
    for code in CODES:
        assert code not in visible(html), code


def test_the_standard_editor_asks_in_plain_words(world, policy, client_for, contact_log):
    s = standard(policy, "SCH-4")
    html = client_for(world.headteacher).get(f"/policies/standards/{s.pk}/").content.decode()
    assert "<h1>Weekly contact with parents and carers <span class=\"clause\">(SCH-4)</span></h1>" in html
    assert "Fewest words in the write-up" in html and 'name="min_words"' in html and 'value="5"' in html
    assert "None: not counted from an event" in html and "Change to key aspects" in html
    assert ">Transition visit</option>" in html  # recorded by the transitions app: no longer waiting for its records
    assert "Every school week (or every few school weeks), in term time" in html
    assert "How many weeks, months or days" in html
    for code in CODES:
        assert code not in visible(html), code


def test_the_editor_saves_the_fewest_words_and_says_so_in_words(world, policy, client_for, contact_log):
    s = standard(policy, "SCH-4")
    data = {
        "title": s.title, "description": s.description, "enabled": "on", "setting_kinds": s.setting_kinds,
        "subject": s.subject, "cadence": s.cadence, "cadence_n": s.cadence_n, "evidence": s.evidence, "min_words": 10,
        "responsible": s.responsible, "due_soon_days": s.due_soon_days, "escalate_after_days": s.escalate_after_days,
        "escalate_to_roles": s.escalate_to_roles, "version": s.version, "effective_from": "2026-11-23",
    }
    client = client_for(world.headteacher)
    r = client.post(f"/policies/standards/{s.pk}/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    s.refresh_from_db()
    assert s.evidence_conditions == {"min_words": 10}
    html = client.get(f"/policies/standards/{s.pk}/").content.decode()
    assert "What the record must show: at least 5 words in the write-up → at least 10 words in the write-up" in html
    assert "Mon 23 November 2026" in html
    assert "Weekly contact with parents and carers (SCH-4) saved: the change takes effect from Mon 23 November 2026." in html


def test_a_word_count_on_a_record_with_no_write_up_is_refused_next_to_the_field(world, policy, client_for, contact_log):
    s = standard(policy, "SCH-4")
    data = {
        "title": s.title, "enabled": "on", "subject": s.subject, "cadence": s.cadence, "cadence_n": 1,
        "evidence": "data_check", "min_words": 5, "responsible": s.responsible, "due_soon_days": 2,
        "version": s.version, "effective_from": "2026-11-23",
    }
    with standards_testing.replaced_evidence(EvidenceSource("data_check", "A data check confirmed", lambda *a: [])):
        r = client_for(world.headteacher).post(f"/policies/standards/{s.pk}/", data)
    assert r.status_code == 400
    assert "“A data check confirmed” has no write-up to count words in: leave this empty." in r.content.decode()


@pytest.fixture
def one_waiting():
    """Every kind of record is recorded now: take one away, so a standard waits for its records."""
    from keyworker.standards.evidence import evidence_source, register_evidence, unregister_evidence

    source = evidence_source("targets_shared")
    unregister_evidence("targets_shared")
    yield
    register_evidence(source)
