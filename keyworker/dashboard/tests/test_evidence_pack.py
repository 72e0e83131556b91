"""The evidence pack: per-clause figures for a period, leaders only, as a page and a PDF, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from keyworker.organisations.calendar import TermCalendar
from keyworker.standards import engine
from keyworker.standards.evidence import EvidenceRow, EvidenceSource, register_evidence, unregister_evidence
from keyworker.standards.evidence_pack import evidence_pack
from keyworker.standards.models import Cadence, Obligation, Policy, PolicyVersion, Standard, Subject
from keyworker.standards.obligations import obligation_waive
from keyworker.standards.pdf import evidence_pack_pdf
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 11, 18)
RECORDS: list[tuple[int, int | None, dt.date]] = []


def fetch(organisation_id, start, end, conditions):
    return [EvidenceRow(f, c, day, f"record {i}") for i, (f, c, day) in enumerate(RECORDS) if start <= day <= end]


@pytest.fixture(autouse=True)
def fake_evidence():
    RECORDS.clear()
    register_evidence(EvidenceSource("pack_record", "A test record", fetch))
    yield
    unregister_evidence("pack_record")


@pytest.fixture
def policy(world):
    policy = Policy.objects.create(organisation=world.org, title="Key worker policy", responsible_officer="The headteacher",
                                   author="Helen Head")
    policy.responsible_staff.add(world.deputy)
    PolicyVersion.objects.create(organisation=world.org, policy=policy, number=1, effective_from=D(2025, 9, 1),
                                 review_on=D(2026, 9, 1))
    version = PolicyVersion.objects.create(organisation=world.org, policy=policy, number=2, effective_from=D(2026, 9, 1),
                                           review_on=D(2027, 9, 1))
    # A grace of 60 school days: no period of the term has closed by 18 November (nothing is missed yet).
    common = {"policy_version": version, "evidence": "pack_record", "due_soon_days": 2, "organisation": world.org,
              "grace_school_days": 60}
    Standard.objects.create(clause="SCH-4", title="Weekly contact", cadence=Cadence.WEEKLY_TERM_TIME, subject=Subject.FAMILY,
                            escalate_after_days=5, description="Weekly contact with parents by their preferred method.",
                            **common)
    Standard.objects.create(clause="SCH-2", title="Data check", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD,
                            description="Check pupil data every half term.", **common)
    return policy


@pytest.fixture
def history(world, policy):
    """Autumn 2 (2 Nov to 18 Dec), as of Wed 18 Nov: weekly contact for the weeks of 2, 9 and 16 November."""
    RECORDS.extend([
        (world.family_a.pk, None, D(2026, 11, 3)),
        (world.family_a.pk, None, D(2026, 11, 10)),
        (world.family_b.pk, None, D(2026, 11, 5)),
        (world.family_b.pk, None, D(2026, 11, 14)),  # a Saturday: after the Friday it was due, so met late
        (world.family_b.pk, None, D(2026, 11, 17)),  # met early this week
        (world.family_a.pk, None, D(2026, 10, 20)),  # Autumn 1: outside the period
    ])
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    last_week = Obligation.objects.get(family=world.family_unallocated, standard__clause="SCH-4", period_start=D(2026, 11, 9))
    obligation_waive(actor=world.actor(world.headteacher), obligation=last_week, reason="Family abroad until December")
    return policy


def clause(pack, code):
    return next(c for s in pack.sections for c in s.clauses if c.standard.clause == code)


def test_the_figures_match_a_count_by_hand(world, history):
    actor = world.actor(world.headteacher)
    pack = evidence_pack(actor, world.school, D(2026, 11, 2), D(2026, 12, 18))
    assert pack.half_term.name == "Autumn 2" and pack.as_of == AS_OF
    weekly = clause(pack, "SCH-4")
    # Due by 18 Nov: 3 families × weeks of 2 and 9 Nov (this week's are due on Friday: Brown's, met early, counts
    # then). Brown's week of 9 Nov was met on the Saturday after: late. Cole's week of 9 Nov is waived.
    f = weekly.figures
    assert (f.due, f.met_on_time, f.met_late, f.missed, f.waived, f.still_open) == (6, 3, 1, 0, 1, 1)
    assert (weekly.escalated, weekly.not_yet_due) == (1, 3)
    assert (weekly.share.met, weekly.share.due, weekly.share.percent) == (4, 5, 80)
    assert weekly.reasons == [("Family abroad until December", 1)]
    # Gaps between met records: Adams 7 days; Brown 9 and 3 days. Median of 3, 7, 9.
    assert (weekly.median_gap_days, weekly.families_with_gaps) == (7, 2)
    assert weekly.summary_text == ("Weekly contact: 80 % of family-weeks met this half term (4 of 5); "
                                   "median days between successive met records for the same family 7")
    check = clause(pack, "SCH-2")
    assert (check.share.due, check.not_yet_due, check.median_gap_days) == (0, 3, None)
    assert not check.recurring_family and "nothing fell due" in check.summary_text
    assert (pack.coverage.allocated, pack.coverage.families) == (2, 3)
    section = pack.sections[0]
    assert section.version.number == 2 and section.versions == 2 and section.responsible_staff == ["Dev Deputy"]


def test_a_leader_reads_the_pack_for_the_current_half_term(world, client_for, history):
    r = client_for(world.headteacher).get("/evidence-pack/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Autumn 2 (2/11/2026 to 18/12/2026)" in html and world.org.name in html and "Test Primary" in html
    assert '<h3 id="clause-' in html and "SCH-4 Weekly contact" in html and "SCH-2 Data check" in html
    assert "Weekly contact with parents by their preferred method." in html
    assert '<th scope="row">Met late</th><td class="num">1</td>' in html
    assert ('<th scope="row">Share met: (met on time + met late) ÷ (due − waived)</th><td class="num">80% (Slipping)</td>'
            in html)
    assert '<th scope="row">Missed</th><td class="num">0</td>' in html
    assert '<th scope="row">Still open</th><td class="num">1 (1 escalated)</td>' in html
    assert "Share met = (met on time + met late) ÷ (due − waived)" in html
    assert "Family abroad until December" in html and "Slipping" in html
    assert '<th scope="row">Responsible officer</th><td>The headteacher</td>' in html
    assert '<th scope="row">Review date</th><td>Wed 1 September 2027</td>' in html
    assert '<th scope="row">With a key worker</th><td class="num">2</td>' in html and "67 %" in html
    assert f"/evidence-pack.pdf?setting={world.school.pk}&amp;from=2026-11-02&amp;to=2026-12-18" in html


def test_a_chosen_period(world, client_for, history):
    r = client_for(world.deputy).get("/evidence-pack/?from=2026-11-09&to=15/11/2026")
    assert r.status_code == 200
    pack = r.context["pack"]
    assert pack.half_term is None and pack.period_label == "9/11/2026 to 15/11/2026"
    weekly = clause(pack, "SCH-4")
    assert (weekly.figures.due, weekly.share.met, weekly.met_late, weekly.waived, weekly.still_open) == (3, 2, 1, 1, 0)
    assert "in the period" in weekly.summary_text


@pytest.mark.parametrize("persona", ["key_worker", "teacher_a", "admin_office", "safeguarding_lead"])
def test_only_leaders_see_the_pack(world, client_for, history, persona):
    client = client_for(world.personas[persona])
    assert client.get("/evidence-pack/").status_code == 403
    assert client.get("/evidence-pack.pdf").status_code == 403


def test_an_outsider_sees_only_their_own_organisation(world, client_for, history):
    client = client_for(world.outsider)
    r = client.get("/evidence-pack/")
    assert r.status_code == 200
    html = r.content.decode()
    assert world.other_org.name in html and "Other Primary" in html
    assert "Test Primary" not in html and "SCH-4" not in html and "No policy yet" in html
    assert client.get(f"/evidence-pack/?setting={world.school.pk}").status_code == 404
    assert client.get(f"/evidence-pack.pdf?setting={world.school.pk}").status_code == 404


@pytest.mark.parametrize(("query", "message"), [
    ("from=banana", "“banana” is not a date we understand for the start of the period."),
    ("to=2026-13-45", "“2026-13-45” is not a date we understand for the end of the period."),
    ("from=2026-12-01&to=2026-11-01", "The period starts (1/12/2026) after it ends (1/11/2026)"),
    ("from=2020-01-01&to=2026-11-01", "Choose a period of at most two school years."),
])
def test_wrong_dates_are_refused_with_a_message(world, client_for, history, query, message):
    client = client_for(world.headteacher)
    for url in ("/evidence-pack/", "/evidence-pack.pdf"):
        r = client.get(f"{url}?{query}")
        assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
        html = r.content.decode()
        assert message in html and 'role="alert"' in html and r.context["pack"] is None


def test_the_pdf(world, client_for, history, settings, tmp_path, django_capture_on_commit_callbacks):
    """Asked for, the worker prepares it; its page then offers it to the leader who asked, and to nobody else."""
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.headteacher)
    assert client.get(f"/evidence-pack.pdf?setting={world.school.pk}").status_code == 302  # an old link: the page
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"/evidence-pack.pdf?setting={world.school.pk}")
    assert asked.status_code == 302 and asked["Location"].startswith("/exports/")
    page = client.get(asked["Location"])
    assert page.status_code == 200 and "Download evidence-pack-" in page.content.decode()
    r = client.get(f"{asked['Location']}download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == (
        f'attachment; filename="evidence-pack-{slugify(world.org.name)}-test-primary-2026-11-02-to-2026-12-18.pdf"'
    )
    content = b"".join(r.streaming_content)
    assert content.startswith(b"%PDF") and len(content) > 2000
    assert client_for(world.deputy).get(f"{asked['Location']}download/").status_code == 404  # not who asked

    pack = evidence_pack(world.actor(world.headteacher), world.school, D(2026, 11, 2), D(2026, 12, 18))
    raw = evidence_pack_pdf(pack, compress=False)
    assert raw.startswith(b"%PDF")
    for text in (b"SCH-4 Weekly contact", b"SCH-2 Data check", b"Evidence pack: Test Primary", b"Autumn 2",
                 b"Family abroad until December", b"Key worker coverage \\(SCH-A1\\)", b"Key worker policy"):
        assert text in raw, text


def grow(world, n):
    for _ in range(n):
        family = make_family(world.org)
        make_child(family, world.school, world.class_a)
        allocate(family, world.school, world.ta_a)
        RECORDS.append((family.pk, None, D(2026, 11, 4)))
        RECORDS.append((family.pk, None, D(2026, 11, 11)))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def pdf_queries(world):
    """The queries of preparing the PDF (the worker's side)."""
    from keyworker.core.export_jobs import export_build_run, export_request
    from keyworker.core.models import ExportJob

    job = export_request(actor=world.actor(world.headteacher), kind="evidence_pack", title="Evidence pack",
                         params={"setting": world.school.pk, "from": "2026-11-02", "to": "2026-12-18"},
                         now=dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as ctx:
        assert export_build_run(job.pk, now=dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)) == "done"
    assert ExportJob.objects.get(pk=job.pk).size > 2000
    return len(ctx.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_number_of_families(world, client_for, history, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.headteacher)
    small = (queries(client, "/evidence-pack/"), pdf_queries(world))
    grow(world, 25)
    assert clause(evidence_pack(world.actor(world.headteacher), world.school, D(2026, 11, 2), D(2026, 12, 18)),
                  "SCH-4").families_with_gaps == 27
    large = (queries(client, "/evidence-pack/"), pdf_queries(world))
    assert small == large
    assert small[0] <= 20, small


def test_the_organisation_compliance_page_links_to_the_pack(world, client_for, history):
    assert "/evidence-pack/" in client_for(world.headteacher).get("/compliance/organisation/").content.decode()


def test_a_setting_without_a_calendar_shows_the_last_six_weeks(world, client_for, history):
    cal = TermCalendar.for_setting(world.outsider.staff_roles.get().setting)
    assert cal.half_terms == []
    r = client_for(world.outsider).get("/evidence-pack/")
    assert (r.context["pack"].start, r.context["pack"].end) == (D(2026, 10, 7), AS_OF)
