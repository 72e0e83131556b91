"""One compliance figure: the team and organisation pages, the evidence pack (page and PDF), the API and the command
print the same share for each clause on the same data; each setting lists its own clauses; a key worker sees their
own figures, an outsider nothing of ours."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.organisations.models import SettingKind
from keyworker.standards import engine
from keyworker.standards import testing as standards_testing
from keyworker.standards.compliance import DEFINITION, Figures, whole_percent
from keyworker.standards.models import Obligation, ObligationState, Standard
from keyworker.testing import (
    add_calendar,
    allocate,
    make_child,
    make_family,
    make_group,
    make_setting,
    make_staff,
)

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 11, 18)
AUTUMN_2 = (D(2026, 11, 2), D(2026, 12, 18))
RECORDS, fake_evidence, make_standard = standards_testing.in_memory_evidence("figure_record")


@pytest.fixture
def data(world):
    """Weekly contact (SCH-4) and a fortnightly check (SCH-10, to test clause order), Autumn 2 as of Wed 18 Nov, with
    every outcome: met on time, met late, missed, waived, still open, and met early for a later due date."""
    # A long grace: the weeks of Autumn 2 so far stay open until the states below are set by hand.
    weekly = make_standard(world.org, grace_school_days=30)
    check = make_standard(world.org, clause="SCH-10", title="Fortnightly check", cadence_n=2, escalate_after_days=None,
                          grace_school_days=30)
    RECORDS.extend([
        (world.family_a.pk, None, D(2026, 11, 3)),    # week of 2 Nov: on time
        (world.family_a.pk, None, D(2026, 11, 10)),   # week of 9 Nov: on time
        (world.family_b.pk, None, D(2026, 11, 14)),   # week of 9 Nov: a Saturday, after its Friday: late
        (world.family_b.pk, None, D(2026, 11, 17)),   # week of 16 Nov: met early, due Friday 20th
    ])
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    # The states the closing of periods gives: one missed, one waived, one met late by a record entered after the period.
    Obligation.objects.filter(standard=weekly, family=world.family_b, period_start=D(2026, 11, 2)).update(
        state=ObligationState.MISSED)
    Obligation.objects.filter(standard=weekly, family=world.family_unallocated, period_start=D(2026, 11, 9)).update(
        state=ObligationState.WAIVED, waived_reason="Away")
    Obligation.objects.filter(standard=check, family=world.family_a, period_start=D(2026, 11, 2)).update(
        state=ObligationState.MET, met_on=D(2026, 11, 12), met_late=True)
    return weekly, check


def expected(world, standard) -> Figures:
    """The figure counted by hand from the rows, in Python: the definition in words, applied."""
    rows = Obligation.objects.filter(standard=standard, due_on__range=AUTUMN_2, due_on__lte=AS_OF)
    f = {"due": 0, "met_on_time": 0, "met_late": 0, "missed": 0, "waived": 0, "still_open": 0}
    for o in rows:
        f["due"] += 1
        if o.state == "met":
            f["met_late" if o.met_late or o.met_on > o.due_on else "met_on_time"] += 1
        elif o.state in ("missed", "waived"):
            f[o.state] += 1
        else:
            f["still_open"] += 1
    return Figures(**f)


def test_the_figure_by_hand(world, data):
    weekly, check = data
    f = expected(world, weekly)
    # Weeks of 2 and 9 Nov for three families (the week of 16 Nov is due on Friday 20th: not counted yet).
    assert (f.due, f.met_on_time, f.met_late, f.missed, f.waived, f.still_open) == (6, 2, 1, 1, 1, 1)
    assert (f.share.met, f.share.due, f.share.percent) == (3, 5, 60)
    assert f.share.exact == pytest.approx(60.0)
    assert whole_percent(1, 8) == 13 and whole_percent(1, 200) == 1 and whole_percent(0, 0) is None  # halves up


def _pdf_text(raw: bytes) -> str:
    return raw.decode("latin-1")


def test_page_pack_pdf_api_and_command_print_the_same_share(world, client_for, data, api_client=None):
    from rest_framework.test import APIClient

    weekly, check = data
    want = {s.clause: expected(world, s).share.percent for s in (weekly, check)}
    # SCH-10's fortnight of 2 November (due Friday 13th): Adams met late; Brown and Cole still open.
    assert want == {"SCH-4": 60, "SCH-10": 33}
    client = client_for(world.headteacher)

    # The team page: the setting's figure per clause this half term (Autumn 2).
    team = client.get("/compliance/", {"as_of": "2026-11-18"})
    got_team = {s.clause: f.share.percent for s, f in team.context["heatmap"].clause_totals}
    html = team.content.decode()
    assert DEFINITION in html
    # Clause order: SCH-4 before SCH-10.
    assert html.index(">SCH-4<") < html.index(">SCH-10<")

    # The organisation page, Autumn 2's column.
    org = client.get("/compliance/organisation/", {"as_of": "2026-11-18"})
    col = [c.name for c in org.context["data"].half_terms].index("Autumn 2")
    got_org = {s.standard.clause: s.shares[col].share.percent for s in org.context["data"].series}
    assert [s.standard.clause for s in org.context["data"].series] == ["SCH-4", "SCH-10"]
    assert DEFINITION in org.content.decode()

    # The evidence pack, page and PDF (the default period: Autumn 2, as of today).
    pack = client.get("/evidence-pack/")
    got_pack = {c.standard.clause: c.share.percent for s in pack.context["pack"].sections for c in s.clauses}
    page = pack.content.decode()
    assert DEFINITION in page
    for clause, pct in want.items():
        assert re.search(rf"{clause} .*?{pct}% \(", page, re.S), clause
    from keyworker.standards.evidence_pack import evidence_pack
    from keyworker.standards.pdf import evidence_pack_pdf

    raw = _pdf_text(evidence_pack_pdf(evidence_pack(world.actor(world.headteacher), world.school, *AUTUMN_2),
                                      compress=False))
    for pct in want.values():
        assert f"{pct}% \\(" in raw  # "60% (Behind)": parentheses are escaped in PDF strings
    assert "How the figures count" in raw

    # The API, for the same period.
    api = APIClient()
    api.force_authenticate(world.headteacher.user)
    body = api.get("/api/v1/compliance/", {"as_of": "2026-11-18", "from_date": "2026-11-02", "to_date": "2026-12-18",
                                           "setting": world.school.pk}).json()
    got_api = {r["clause"]: r["percent"] for r in body["standards"]}
    assert [r["clause"] for r in body["standards"]] == ["SCH-4", "SCH-10"]
    assert {r["clause"]: r["percent_exact"] for r in body["standards"]} == {
        "SCH-4": pytest.approx(60.0), "SCH-10": pytest.approx(100 / 3)}

    # The command, text and JSON.
    args = ["--organisation", world.org.slug, "--as-of", "2026-11-18", "--from", "2026-11-02", "--to", "2026-12-18"]
    out = io.StringIO()
    call_command("compliance", *args, "--format", "json", stdout=out)
    got_json = {r["clause"]: r["percent"] for r in json.loads(out.getvalue())["standards"]}
    out = io.StringIO()
    call_command("compliance", *args, stdout=out)
    got_text = {line.split()[0]: int(line.split()[-1].rstrip("%")) for line in out.getvalue().splitlines()
                if line.strip().startswith("SCH-")}

    assert got_team == got_org == got_pack == got_api == got_json == got_text == want


def test_the_drill_down_shows_how_each_obligation_counts(world, client_for, data):
    weekly, _ = data
    client = client_for(world.headteacher)
    r = client.get("/compliance/", {"as_of": "2026-11-18", "staff": "all", "standard": weekly.pk})
    drill = r.context["drill"]
    assert drill["figures"] == expected(world, weekly)
    words = sorted(o.display["word"] for o in drill["obligations"])
    assert words == ["Escalated", "Met", "Met", "Met late", "Missed", "Waived"]
    html = r.content.decode()
    for head in ("Met on time", "Met late", "Missed", "Waived", "Still open", "Share met"):
        assert f'<th scope="col" class="num">{head}</th>' in html
    assert '<td class="num">60%</td>' in html


def test_a_key_worker_sees_only_their_own_figures(world, client_for, data):
    weekly, _ = data
    client = client_for(world.ta_a)
    r = client.get("/compliance/", {"as_of": "2026-11-18"})
    assert r.status_code == 200
    assert [row.staff for row in r.context["heatmap"].rows] == [world.ta_a]
    mine = dict((s.clause, f) for s, f in r.context["heatmap"].clause_totals)["SCH-4"]
    # Kim's family (Adams): the weeks of 2 and 9 November, both met on time.
    assert (mine.due, mine.met_on_time, mine.share.percent) == (2, 2, 100)
    drill = client.get("/compliance/", {"as_of": "2026-11-18", "staff": "all", "standard": weekly.pk})
    assert {o.family_id for o in drill.context["drill"]["obligations"]} == {world.family_a.pk}
    # Another key worker's cell, or the families without one, are not theirs to see.
    assert client.get("/compliance/", {"staff": world.teacher_b.pk, "standard": weekly.pk}).status_code == 404
    assert client.get("/compliance/", {"staff": "none", "standard": weekly.pk}).status_code == 404
    assert client.get("/evidence-pack/").status_code == 403


def test_an_outsider_gets_404_for_our_setting_and_clauses(world, client_for, data):
    weekly, _ = data
    client = client_for(world.outsider)
    assert client.get("/compliance/", {"setting": world.school.pk}).status_code == 404
    assert client.get("/compliance/", {"setting": world.school.pk, "staff": "all", "standard": weekly.pk}).status_code == 404
    r = client.get("/compliance/", {"staff": "all", "standard": weekly.pk})  # their own setting: nothing of ours
    assert r.status_code == 200 and "SCH-4" not in r.content.decode() and r.context["drill"] is None
    assert client.get("/evidence-pack/", {"setting": world.school.pk}).status_code == 404


@pytest.mark.parametrize("query", ["staff=all&standard={s}", "staff=all&standard={s}&earlier=1", ""])
def test_query_counts_fixed(world, client_for, data, query):
    weekly, _ = data
    url = "/compliance/?as_of=2026-11-18&" + query.format(s=weekly.pk)
    client = client_for(world.headteacher)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(12):
        family = make_family(world.org)
        make_child(family, world.school, world.class_a)
        allocate(family, world.school, make_staff(world.org, world.school, ["teacher"], [world.class_a]))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    assert count() == small


# Each setting sees its own clauses ------------------------------------------------------------------------------------


@pytest.fixture
def group(world):
    """The school's organisation also runs a nursery (early years), and both built-in policies are adopted. The
    nursery's children started on 2 September; one family has no key person yet."""
    from keyworker.standards.services import policy_adopt_builtin

    nursery = make_setting(world.org, SettingKind.EARLY_YEARS, name="Little Acorns")
    add_calendar(nursery)
    room = make_group(nursery, "Toddlers", "2–3 years")
    manager = make_staff(world.org, nursery, ["manager"], name="Mia Manager")
    person = make_staff(world.org, nursery, ["practitioner"], [room], name="Pat Practitioner")
    families = []
    for i in range(3):
        family = make_family(world.org, f"The Nursery{i} family")
        make_child(family, nursery, room, enrolled_on=D(2026, 9, 2), date_of_birth=D(2024, 3, 1))
        families.append(family)
    for family in families[:2]:
        a = allocate(family, nursery, person)
        a.starts_at = dt.datetime(2026, 9, 3, 9, tzinfo=dt.UTC)  # on their second day
        a.save(update_fields=["starts_at"])
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=D(2026, 9, 1))
    policy_adopt_builtin(organisation=world.org, template_code="childcare_key_contact", as_of=D(2026, 9, 1))
    # The group keeps "a key person for every child" open for a whole term: the third family's is still to do.
    Standard.objects.filter(organisation=world.org, clause="CC-A1").update(one_off_open_school_days=70)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    return nursery, manager, families


def test_the_childcare_manager_sees_her_clauses_with_their_figures(world, client_for, group):
    nursery, manager, families = group
    r = client_for(manager).get("/compliance/", {"as_of": "2026-11-18"})
    assert r.status_code == 200
    heatmap = r.context["heatmap"]
    clauses = [s.clause for s in heatmap.standards]
    assert clauses and all(c.startswith("CC-") for c in clauses)
    html = r.content.decode()
    assert "SCH-" not in html
    rows = {s.clause: (f, year, earlier) for s, f, year, earlier in heatmap.clauses}
    # CC-A1 fell due in Autumn 1 for the three families: the one without a key person is still open.
    this_half, year, earlier = rows["CC-A1"]
    assert this_half.due == 0 and year.due == 3 and year.still_open == 1 and earlier == 1
    assert "Still to do from earlier periods" in html and "CC-A1: 1 obligation" in html
    assert f"{year.share.percent}%" in html
    # Autumn 1 shows CC-A1's figure for the half term.
    autumn1 = client_for(manager).get("/compliance/", {"as_of": "2026-10-23"}).context["heatmap"]
    assert dict((s.clause, f.due) for s, f in autumn1.clause_totals)["CC-A1"] == 3
    pack = client_for(manager).get("/evidence-pack/", {"from": "2026-09-02", "to": "2026-11-01"}).content.decode()
    assert "CC-A1 Every child has a key person" in pack and "SCH-" not in pack.replace("(SCH-A1)", "")


def test_the_school_never_lists_childcare_clauses(world, client_for, group):
    client = client_for(world.headteacher)
    html = client.get("/compliance/", {"setting": world.school.pk, "as_of": "2026-11-18"}).content.decode()
    assert "SCH-4" in html and "CC-" not in html
    heatmap = client.get("/compliance/", {"setting": world.school.pk}).context["heatmap"]
    clauses = [s.clause for s in heatmap.standards]
    assert clauses == sorted(clauses, key=__import__("keyworker.standards.compliance", fromlist=["x"]).clause_order)
    assert clauses.index("SCH-2") < clauses.index("SCH-10a") and "SCH-5a" in clauses and "SCH-5b" in clauses
    pack = client.get("/evidence-pack/", {"setting": world.school.pk}).content.decode()
    assert "CC-" not in pack.replace("(CC-D1)", "")
    body = json.loads(_command(world, "--setting", "Test Primary"))
    assert all(r["clause"].startswith("SCH-") for r in body["standards"])


def _command(world, *args):
    out = io.StringIO()
    call_command("compliance", "--organisation", world.org.slug, "--as-of", "2026-11-18", "--format", "json", *args,
                 stdout=out)
    return out.getvalue()
