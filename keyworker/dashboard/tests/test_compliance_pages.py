"""Compliance pages: key workers × standards this half term, each clause over the year; leaders only, fixed queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.standards import engine
from keyworker.standards import testing as standards_testing
from keyworker.standards.models import Cadence, Obligation, Subject
from keyworker.testing import allocate, make_child, make_family, make_staff

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 11, 18)
RECORDS, fake_evidence, make_standard = standards_testing.in_memory_evidence(
    "compliance_record", grace_school_days=60)  # no period of the term has closed by 18 November


@pytest.fixture
def weekly(world):
    s = make_standard(world.org)
    make_standard(world.org, clause="SCH-2", title="Data check", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD)
    RECORDS.extend([
        (world.family_a.pk, None, D(2026, 11, 10)),   # Autumn 2, week of 9 Nov
        (world.family_a.pk, None, D(2026, 9, 8)),     # Autumn 1, week of 7 Sep
        (world.family_b.pk, None, D(2026, 11, 17)),   # met early this week: counts on Friday, not yet
    ])
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    return s


def cells(heatmap):
    return {(row.staff.user.full_name if row.staff else "No key worker", st.clause): (f.share.met, f.share.due)
            for row in heatmap.rows for st, f in row.cells}


def test_a_leader_sees_each_key_worker_against_each_standard(world, client_for, weekly):
    r = client_for(world.headteacher).get("/compliance/")
    assert r.status_code == 200
    heatmap = r.context["heatmap"]
    assert heatmap.half_term.name == "Autumn 2"
    got = cells(heatmap)
    # Autumn 2 weekly contact due by 18 Nov: weeks of 2 and 9 Nov. Ben's family was met early this week: that week
    # is due on Friday and counts from then.
    assert got[("Kim Keyworker", "SCH-4")] == (1, 2)
    assert got[("Ben Teacher", "SCH-4")] == (0, 2)
    assert got[("No key worker", "SCH-4")] == (0, 2)
    assert got[("Kim Keyworker", "SCH-2")] == (0, 0)  # the Autumn 2 data check is due 18 Dec
    html = r.content.decode()
    assert "Compliance at Test Primary" in html and "No key worker" in html
    assert "50%" in html and "1 / 2" in html and "Behind" in html and "Nothing due" in html
    assert '<th scope="row">Kim Keyworker</th>' in html and '<th scope="col">' in html and "<caption" in html


def test_a_cell_drills_down_to_the_families_behind_it(world, client_for, weekly):
    client = client_for(world.headteacher)
    html = client.get("/compliance/").content.decode()
    link = f"staff={world.ta_a.pk}&amp;standard={weekly.pk}"
    assert link in html
    r = client.get("/compliance/", {"setting": world.school.pk, "staff": world.ta_a.pk, "standard": weekly.pk})
    rows = r.context["drill"]["obligations"]
    assert {o.family_id for o in rows} == {world.family_a.pk}
    assert sorted(o.state for o in rows) == ["escalated", "met"]
    body = r.content.decode()
    assert "Kim Keyworker: SCH-4 Weekly contact" in body and 'icons.svg#check"></use></svg> Met' in body and 'icons.svg#up"></use></svg> Escalated' in body
    r = client.get("/compliance/", {"staff": "none", "standard": weekly.pk})
    assert {o.family_id for o in r.context["drill"]["obligations"]} == {world.family_unallocated.pk}
    assert client.get("/compliance/", {"staff": "x", "standard": weekly.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["admin_office"])
def test_people_without_the_capability_are_refused(world, client_for, weekly, persona):
    client = client_for(world.personas[persona])
    assert client.get("/compliance/").status_code == 403
    assert client.get("/compliance/organisation/").status_code == 403


@pytest.mark.parametrize("persona", ["key_worker", "teacher_a", "safeguarding_lead"])
def test_key_workers_see_only_their_own_row_and_not_the_organisation_page(world, client_for, weekly, persona):
    staff = world.personas[persona]
    client = client_for(staff)
    r = client.get("/compliance/")
    assert r.status_code == 200
    heatmap = r.context["heatmap"]
    assert [row.staff for row in heatmap.rows] == [staff]
    html = r.content.decode()
    assert "Your own obligations only." in html and "No key worker" not in html
    assert client.get("/compliance/organisation/").status_code == 403


def test_the_outsider_sees_nothing_of_ours(world, client_for, weekly):
    client = client_for(world.outsider)
    r = client.get("/compliance/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Kim Keyworker" not in html and "SCH-4" not in html and "Test Primary" not in html
    assert client.get("/compliance/", {"setting": world.school.pk}).status_code == 404
    r = client.get("/compliance/organisation/")
    assert r.status_code == 200 and "SCH-4" not in r.content.decode() and "No figures yet" in r.content.decode()


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "18/18/2026"])
def test_a_bad_as_of_shows_today_with_a_message(world, client_for, weekly, value):
    client = client_for(world.headteacher)
    for url in ("/compliance/", "/compliance/organisation/"):
        r = client.get(url, {"as_of": value})
        assert r.status_code == 200 and r.context["as_of"] == AS_OF
        assert "is not a date we understand" in r.content.decode()


def test_an_as_of_before_any_half_term_says_what_to_do(world, client_for, weekly):
    client = client_for(world.headteacher)
    assert "No half term on this date" in client.get("/compliance/", {"as_of": "2026-08-01"}).content.decode()
    assert "No half term has started" in client.get("/compliance/organisation/", {"as_of": "2026-08-01"}).content.decode()


def test_an_as_of_in_the_holiday_shows_the_half_term_before(world, client_for, weekly):
    r = client_for(world.headteacher).get("/compliance/", {"as_of": "2026-10-28"})
    assert r.context["heatmap"].half_term.name == "Autumn 1"


def test_waived_obligations_are_left_out(world, client_for, weekly):
    o = Obligation.objects.filter(standard=weekly, family=world.family_unallocated, due_on=D(2026, 11, 6)).get()
    o.state = "waived"
    o.save()
    heatmap = client_for(world.headteacher).get("/compliance/").context["heatmap"]
    assert cells(heatmap)[("No key worker", "SCH-4")] == (0, 1)
    row = next(r for r in heatmap.rows if r.staff is None)
    figures = dict((s.clause, f) for s, f in row.cells)["SCH-4"]
    assert (figures.due, figures.waived, figures.still_open) == (2, 1, 1)


def test_organisation_compliance_per_clause_and_half_term(world, client_for, weekly):
    r = client_for(world.headteacher).get("/compliance/organisation/")
    assert r.status_code == 200
    data = r.context["data"]
    assert [c.name for c in data.half_terms] == ["Autumn 1", "Autumn 2"]
    series = {s.standard.clause: [(x.share.met, x.share.due) for x in s.shares] for s in data.series}
    # Autumn 1: 8 school weeks × 3 families; Autumn 2 so far: 2 weeks × 3 families (met early this week: not yet due).
    assert series["SCH-4"] == [(1, 24), (1, 6)]
    assert series["SCH-2"] == [(0, 3), (0, 0)]
    html = r.content.decode()
    assert html.count('role="img"') == 2
    assert re.search(r'<svg role="img" aria-labelledby="svg-title-\d+ svg-desc-\d+"', html)
    assert "<title id=" in html and "Autumn 1: 4% met (1 of 24)" in html
    assert "<details>" in html and "<caption>SCH-4 Weekly contact: obligations met per half term</caption>" in html
    assert "<script" not in html


def test_organisation_figures_come_from_one_aggregate_query(world, client_for, weekly):
    client = client_for(world.headteacher)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/compliance/organisation/")
    on_obligations = [q["sql"] for q in ctx.captured_queries if 'FROM "standards_obligation"' in q["sql"]]
    assert len(on_obligations) == 1
    assert "COUNT(" in on_obligations[0] and "GROUP BY" in on_obligations[0]


def grow(world, n: int):
    """n more families, each with a child, spread over new key workers."""
    staff = [make_staff(world.org, world.school, ["teacher"], [world.class_a]) for _ in range(max(n // 5, 1))]
    for i in range(n):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a)
        allocate(f, world.school, staff[i % len(staff)])


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries), r


# The ceiling of each page's queries, whatever the number of families and key workers.
COMPLIANCE_QUERIES = {"/compliance/": 16, "/compliance/organisation/": 11, "/compliance/?staff=none&standard={s}": 17}


@pytest.mark.parametrize("url", ["/compliance/", "/compliance/organisation/", "/compliance/?staff=none&standard={s}"])
def test_fixed_number_of_queries_at_two_sizes(world, client_for, weekly, url):
    page, url = url, url.format(s=weekly.pk)
    client = client_for(world.headteacher)
    small, r = count(client, url)
    grow(world, 30)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    large, r2 = count(client, url)
    assert large == small <= COMPLIANCE_QUERIES[page], (url, small, large)
    if url == "/compliance/":
        assert len(r2.context["heatmap"].rows) == len(r.context["heatmap"].rows) + 6
    print(f"{url}: {small} queries at 3 families, {large} at 33")


def test_a_key_workers_own_row_is_the_same_queries_at_5_and_30_families(world, client_for, weekly):
    def more_families(n: int) -> None:
        for _ in range(n):
            f = make_family(world.org)
            make_child(f, world.school, world.class_a)
            allocate(f, world.school, world.ta_a)

    more_families(4)  # and the Adams family: 5
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    client = client_for(world.ta_a)
    client.get("/compliance/")  # what the first request of a process reads once
    five, r = count(client, "/compliance/")
    assert r.context["own_only"]
    more_families(25)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    thirty, r = count(client, "/compliance/")
    assert five == thirty <= COMPLIANCE_QUERIES["/compliance/"], (five, thirty)


def test_the_heatmap_shows_40_key_workers_a_page_furthest_behind_first(world):
    from types import SimpleNamespace

    from django.test import RequestFactory

    from keyworker.dashboard.views_compliance import GRID_PAGE, _grid_page
    from keyworker.standards.selectors import Figures, HeatmapRow

    class Person(SimpleNamespace):
        def __str__(self):
            return f"Person {self.pk:03d}"

    rows = [HeatmapRow(Person(pk=n), [], Figures(due=10, met_on_time=n % 10)) for n in range(1, 2 * GRID_PAGE + 6)]
    heatmap = SimpleNamespace(rows=rows)
    day = dt.date(2026, 11, 18)
    first = _grid_page(RequestFactory().get("/compliance/"), heatmap, world.school, day)
    assert len(first["grid"]) == GRID_PAGE and first["grid_page"].paginator.num_pages == 3
    totals = [total.percent for _, _, total in first["grid"]]
    assert totals == sorted(totals) and totals[0] == 0
    last = _grid_page(RequestFactory().get("/compliance/?order=name&page=3"), heatmap, world.school, day)
    assert [name for name, _, _ in last["grid"]] == [f"Person {n:03d}" for n in range(81, 86)]
