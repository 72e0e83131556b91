"""Policy pages: who may read, acknowledge and edit; the forms in plain words; garbage input never breaks a page."""

import datetime as dt

import pytest

from keyworker.standards import catalogue, services
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import EvidenceSource
from keyworker.standards.models import (
    Obligation,
    PolicyAcknowledgement,
    PolicyVersion,
    Standard,
    StandardRevision,
)

pytestmark = pytest.mark.django_db
D = dt.date
OK, NO, GONE = 200, 403, 404
PERSONAS = ("headteacher", "deputy", "teacher_a", "key_worker", "teacher_b", "admin_office", "safeguarding_lead", "outsider")


@pytest.fixture
def policy(world):
    return services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))


@pytest.fixture
def contact_log():
    with standards_testing.replaced_evidence(EvidenceSource("contact_log", "A contact log", lambda *a: [], frozenset({"min_words"}))):
        yield


def sch4(policy) -> Standard:
    return Standard.objects.get(policy_version__policy=policy, clause="SCH-4")


PAGES = {
    "list": lambda w, p: "/policies/",
    "detail": lambda w, p: f"/policies/{p.pk}/",
    "standard": lambda w, p: f"/policies/standards/{sch4(p).pk}/",
    "version_new": lambda w, p: f"/policies/{p.pk}/versions/new/",
}
MATRIX = {
    #               head deputy teacher_a key_worker teacher_b admin dsl  outsider
    "list":        (OK,  OK,    OK,       OK,        OK,       OK,   OK,  OK),
    "detail":      (OK,  OK,    OK,       OK,        OK,       OK,   OK,  GONE),
    "standard":    (OK,  OK,    NO,       NO,        NO,       OK,   NO,  GONE),
    "version_new": (OK,  OK,    NO,       NO,        NO,       OK,   NO,  GONE),
}
CASES = [(page, persona, MATRIX[page][i]) for page in PAGES for i, persona in enumerate(PERSONAS)]


@pytest.mark.parametrize(("page", "persona", "expected"), CASES, ids=[f"{p}-{q}" for p, q, _ in CASES])
def test_page_permission(world, policy, client_for, page, persona, expected):
    url = PAGES[page](world, policy)
    assert client_for(world.personas[persona]).get(url).status_code == expected


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_is_sent_to_sign_in(client, world, policy, page):
    response = client.get(PAGES[page](world, policy))
    assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")


def test_everyone_finds_the_policy_in_the_navigation_to_read_and_acknowledge_it(world, client_for):
    for persona in (world.deputy, world.teacher_a, world.ta_a):
        assert '<a href="/policies/"' in client_for(persona).get("/my-week/").content.decode()


def test_adopting_a_template_from_the_list(world, client_for):
    client = client_for(world.headteacher)
    page = client.get("/policies/").content.decode()
    assert "Adopt a built-in template" in page and "No policy adopted yet" in page
    response = client.post("/policies/", {"template_code": "school_key_worker", "effective_from": "2026-09-01", "review_on": "2027-09-01"})
    assert response.status_code == 302
    # The source's eleven clauses (SCH-5 and SCH-10 in two parts each), SCH-11 (added with the carers' portal) and the
    # seven steps of an EHCP annual review, SCH-R1..R7.
    assert Standard.objects.filter(organisation=world.org).count() == len(catalogue.SCHOOL.standards) == 21
    page = client.get("/policies/").content.decode()
    assert "Key worker role: minimum standards" in page and "0 of 7" in page


def test_teachers_cannot_adopt(world, client_for):
    response = client_for(world.teacher_a).post("/policies/", {"template_code": "school_key_worker",
                                                               "effective_from": "2026-09-01", "review_on": "2027-09-01"})
    assert response.status_code == 403


def test_list_warns_when_the_review_date_is_near_or_past(world, policy, client_for):
    PolicyVersion.objects.filter(policy=policy).update(review_on=D(2026, 12, 1))
    assert "Review due soon" in client_for(world.teacher_a).get("/policies/").content.decode()
    PolicyVersion.objects.filter(policy=policy).update(review_on=D(2026, 11, 1))
    assert "Review overdue" in client_for(world.teacher_a).get("/policies/").content.decode()


def test_detail_shows_standards_in_words_and_waiting_evidence(world, policy, client_for, one_waiting):
    page = client_for(world.headteacher).get(f"/policies/{policy.pk}/").content.decode()
    assert "Every school week, in term time" in page and "Within 5 school days of enrolment" in page
    assert "Waiting for its records" in page  # learning targets shared, taken away for the test
    assert 'icons.svg#check"></use></svg> On' in page
    assert "3 days before each appointment" in page and "Within 5 school days after each change to key aspects" in page
    assert "Version history" in page and "Minimum standards of the key worker" in page
    assert "When more than 5 days overdue: Deputy headteacher" in page


def test_a_teacher_acknowledges_the_current_version(world, policy, client_for):
    client = client_for(world.teacher_a)
    assert "Acknowledge version 1" in client.get(f"/policies/{policy.pk}/").content.decode()
    assert client.post(f"/policies/{policy.pk}/acknowledge/").status_code == 302
    assert client.post(f"/policies/{policy.pk}/acknowledge/").status_code == 302
    assert PolicyAcknowledgement.objects.filter(staff=world.teacher_a).count() == 1
    assert 'icons.svg#check"></use></svg> Acknowledged' in client.get(f"/policies/{policy.pk}/").content.decode()
    assert client_for(world.outsider).post(f"/policies/{policy.pk}/acknowledge/").status_code == 404


def form_data(standard: Standard, **changes) -> dict:
    data = {
        "title": standard.title, "description": standard.description, "enabled": "on" if standard.enabled else "",
        "setting_kinds": standard.setting_kinds, "subject": standard.subject, "cadence": standard.cadence,
        "cadence_n": standard.cadence_n, "evidence": standard.evidence, "min_words": 5,
        "responsible": standard.responsible, "due_soon_days": standard.due_soon_days,
        "escalate_after_days": standard.escalate_after_days or "", "escalate_to_roles": standard.escalate_to_roles,
        "only_ehcp": "", "year_group": "", "enrolled_within_days": "", "version": standard.version,
        "effective_from": "2026-11-23",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_editing_weekly_contact_to_every_two_weeks(world, policy, client_for, contact_log):
    s = sch4(policy)
    client = client_for(world.deputy)
    page = client.get(f"/policies/standards/{s.pk}/").content.decode()
    assert 'name="cadence_n"' in page and "Who is told when it escalates" in page
    assert "Manager (nobody holds this role)" in page
    response = client.post(f"/policies/standards/{s.pk}/", form_data(s, cadence_n=2))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.cadence_n == 2
    # The page answered at once; the worker brings the obligations in line from the date the change takes effect.
    assert not Obligation.objects.filter(standard=s).exists()
    page = client.get(f"/policies/standards/{s.pk}/").content.decode()
    assert "Dev Deputy" in page and "Mon 23 November 2026" in page and "Waiting to be applied" in page
    assert "How often: Every school week, in term time → Every 2 school weeks, in term time" in page


def test_refusals_are_shown_next_to_their_fields(world, policy, client_for, contact_log):
    s = sch4(policy)
    response = client_for(world.headteacher).post(f"/policies/standards/{s.pk}/", form_data(
        s, cadence_n=0, escalate_to_roles=["manager"]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "1 or more" in page and "Nobody here holds the role “Manager”" in page
    assert not StandardRevision.objects.exists()


@pytest.mark.parametrize("garbage", [
    {"cadence_n": "lots"}, {"cadence_n": "99999999999999999999"}, {"due_soon_days": "-5"},
    {"evidence": "<script>"}, {"escalate_to_roles": ["x" * 500]}, {"setting_kinds": ["moon"]},
    {"min_words": "many"}, {"event": "Parents' evening!"}, {"enrolled_within_days": "0"}, {"subject": ""}, {"cadence": "\x00"},
    {"escalate_after_days": "1e9"}, {"cadence": "termly", "cadence_n": "3"},
])
def test_garbage_never_breaks_the_standard_page(world, policy, client_for, garbage):
    s = sch4(policy)
    response = client_for(world.headteacher).post(f"/policies/standards/{s.pk}/", form_data(s, **garbage))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize(("url", "data"), [
    ("/policies/", {"template_code": "zzz", "effective_from": "tomorrow"}),
    ("/policies/", {"template_code": "childcare_key_contact", "effective_from": "2026-09-01", "review_on": "2020-01-01"}),
    ("versions", {"effective_from": "31/31/2026", "review_on": "", "comment": ""}),
    ("versions", {"effective_from": "2026-11-18", "review_on": "2026-11-01", "comment": "x"}),
])
def test_garbage_never_breaks_the_other_forms(world, policy, client_for, url, data):
    url = f"/policies/{policy.pk}/versions/new/" if url == "versions" else url
    response = client_for(world.headteacher).post(url, data)
    assert response.status_code == 400


def test_switching_a_standard_off_and_on(world, policy, client_for):
    s = sch4(policy)
    client = client_for(world.headteacher)
    assert client.post(f"/policies/standards/{s.pk}/switch/", {"enabled": "off"}).status_code == 302
    s.refresh_from_db()
    assert not s.enabled
    assert client_for(world.teacher_a).post(f"/policies/standards/{s.pk}/switch/", {"enabled": "on"}).status_code == 403
    assert client_for(world.outsider).post(f"/policies/standards/{s.pk}/switch/", {"enabled": "on"}).status_code == 404


def test_issuing_a_new_version_from_its_page(world, policy, client_for):
    client = client_for(world.admin_office)
    response = client.post(f"/policies/{policy.pk}/versions/new/", {
        "effective_from": "2026-11-18", "review_on": "2027-11-18", "comment": "Weekly contact reviewed"})
    assert response.status_code == 302
    page = client.get(f"/policies/{policy.pk}/").content.decode()
    assert "Weekly contact reviewed" in page and "Acknowledge version 2" in page
    old = Standard.objects.get(policy_version__number=1, policy_version__policy=policy, clause="SCH-4")
    page = client.get(f"/policies/standards/{old.pk}/").content.decode()
    assert "earlier version" in page and 'name="cadence_n"' not in page


def test_the_childcare_policy_shows_its_source_version_table(world, client_for):
    p = services.policy_adopt(actor=None, organisation=world.org, template_code="childcare_key_contact",
                              effective_from=D(2019, 4, 2), review_on=D(2021, 4, 2))
    page = client_for(world.headteacher).get(f"/policies/{p.pk}/").content.decode()
    assert "Steph Grant" in page and "All Managers" in page and "review date has passed" in page


def test_a_standard_that_counts_school_days_says_so(world, policy, client_for):
    from keyworker.standards.models import DayCount, Standard

    Standard.objects.filter(policy_version__policy=policy, clause="SCH-3").update(day_count=DayCount.SCHOOL)
    page = client_for(world.headteacher).get(f"/policies/{policy.pk}/").content.decode()
    assert "Within 5 school days after each change to key aspects" in page
    assert "Within 5 school days of enrolment" in page  # calendar days, as before


@pytest.fixture
def one_waiting():
    """Every kind of record is recorded now: take one away, so a standard waits for its records."""
    from keyworker.standards.evidence import evidence_source, register_evidence, unregister_evidence

    source = evidence_source("targets_shared")
    unregister_evidence("targets_shared")
    yield
    register_evidence(source)
