"""My week: a key worker's obligations by urgency, with contact method and last met date, in fixed queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.contacts.models import ContactLog
from keyworker.standards import engine
from keyworker.standards import testing as standards_testing
from keyworker.standards.models import Cadence, Subject
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 11, 18)
RECORDS, fake_evidence, make_standard = standards_testing.in_memory_evidence(
    "week_record", grace_school_days=60)  # no period of the term has closed by 18 November


@pytest.fixture
def standards(world):
    weekly = make_standard(world.org)
    data_check = make_standard(world.org, clause="SCH-2", title="Data check", cadence=Cadence.HALF_TERMLY,
                               subject=Subject.CHILD, escalate_after_days=None)
    return weekly, data_check


def run(world, as_of=AS_OF):
    engine.recompute(organisation_id=world.org.pk, as_of=as_of)


def test_a_key_worker_sees_overdue_due_this_week_coming_up_and_done(world, client_for, standards):
    weekly, data_check = standards
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 10)))  # week of 9 Nov met
    run(world)
    r = client_for(world.ta_a).get("/my-week/")
    assert r.status_code == 200
    week = r.context["week"]
    overdue = [(row.obligation.standard.clause, row.obligation.due_on) for row in week.overdue]
    # Oldest first: the Autumn 1 data check (due 23 Oct) sits among the weekly contacts by due date.
    assert overdue == sorted(overdue, key=lambda x: x[1])
    assert ("SCH-2", D(2026, 10, 23)) in overdue and ("SCH-4", D(2026, 9, 4)) in overdue
    assert all(row.obligation.family_id == world.family_a.pk for row in week.overdue)
    assert [(row.obligation.standard.clause, row.obligation.due_on) for row in week.due_this_week] == [("SCH-4", D(2026, 11, 20))]
    assert [(row.obligation.standard.clause, row.obligation.due_on) for row in week.coming_up] == [("SCH-2", D(2026, 12, 18))]
    assert week.done_this_week == []
    due = week.due_this_week[0]
    assert due.preferred_contact == "Phone call" and due.last_met_on == D(2026, 11, 10)
    assert week.coming_up[0].preferred_contact == ""  # a child's obligation: the family's method is not the point
    html = r.content.decode()
    assert "Fri 20 November 2026" in html and "Tue 10 November 2026" in html
    assert "Weekly contact <span class=\"clause\">(SCH-4)</span>" in html and "For Alfie Adams" in html
    assert f'href="/families/{world.family_a.pk}/"' in html
    assert 'icons.svg#clock"></use></svg> Due soon' in html and 'icons.svg#warning"></use></svg> Overdue' in html and 'icons.svg#up"></use></svg> Escalated' in html
    assert "The Brown family" not in html  # teacher_b's family


def test_done_this_week_lists_what_was_met_since_monday(world, client_for, standards):
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 17)))
    run(world)
    week = client_for(world.ta_a).get("/my-week/").context["week"]
    assert [(row.obligation.standard.clause, row.obligation.met_on) for row in week.done_this_week] == [("SCH-4", D(2026, 11, 17))]
    assert week.due_this_week == []


def test_nothing_due_says_so_and_what_to_do_next(world, client_for, standards):
    run(world)
    r = client_for(world.teacher_a).get("/my-week/")  # a teacher with no families allocated
    html = r.content.decode()
    assert r.status_code == 200
    assert "Nothing due: you are up to date" in html and "My families" in html


@pytest.mark.parametrize("value", ["2026-11-25", "25/11/2026"])
def test_as_of_chooses_the_week(world, client_for, standards, value):
    run(world, D(2026, 11, 25))
    r = client_for(world.ta_a).get("/my-week/", {"as_of": value})
    week = r.context["week"]
    assert (week.week_start, week.week_end) == (D(2026, 11, 23), D(2026, 11, 29))
    assert [row.obligation.due_on for row in week.due_this_week] == [D(2026, 11, 27)]
    assert "Mon 23 November 2026" in r.content.decode()


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-45", "<script>", "9" * 50])
def test_a_bad_as_of_shows_today_with_a_message(world, client_for, standards, value):
    run(world)
    r = client_for(world.ta_a).get("/my-week/", {"as_of": value})
    assert r.status_code == 200
    assert r.context["as_of"] == AS_OF
    assert "is not a date we understand" in r.content.decode()
    assert "<script>" not in r.content.decode()


def test_the_outsider_sees_nothing_of_ours(world, client_for, standards):
    run(world)
    html = client_for(world.outsider).get("/my-week/").content.decode()
    assert "The Adams family" not in html and "Nothing due: you are up to date" in html


def test_my_week_is_in_the_navigation_first_for_key_workers(world, client_for):
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    nav = html[html.index('aria-label="Main"'):]
    assert nav.index("My week") < nav.index("My families")
    assert 'href="/my-week/" aria-current="page"' in html


def _count(client, world):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/my-week/")
    assert r.status_code == 200
    return len(ctx.captured_queries), r


def test_fixed_number_of_queries_at_3_and_30_families(world, client_for, standards):
    for _ in range(2):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a)
        allocate(f, world.school, world.ta_a)
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 17)))
    run(world)
    client = client_for(world.ta_a)
    client.get("/my-week/")  # what the first request of a process reads once
    small, r = _count(client, world)
    assert len(r.context["week"].overdue) > 3
    for _ in range(27):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a)
        allocate(f, world.school, world.ta_a)
    run(world)
    large, r = _count(client, world)
    assert large == small, (small, large)
    assert len({row.obligation.family_id for row in r.context["week"].overdue}) == 30
    print(f"my week queries: {small} at 3 families, {large} at 30")


# A key worker's My week, whatever the number of their families: signing in, the obligations (3), the missed figure
# (2), and each panel's own reads on the caseload, its children and the term calendars, which are read once for all of
# them (40 when each panel read them again).
MY_WEEK_QUERIES = 35


def test_a_key_workers_week_is_the_same_queries_at_5_and_30_families(world, client_for, standards):
    def more_families(n: int) -> None:
        for _ in range(n):
            f = make_family(world.org)
            make_child(f, world.school, world.class_a)
            allocate(f, world.school, world.ta_a)
            for day in (D(2026, 11, 10), D(2026, 11, 12), D(2026, 11, 16)):  # mostly concerns: a family to celebrate
                ContactLog.objects.create(organisation=world.org, family=f, setting=world.school, author=world.ta_a,
                                          happened_on=day, channel="phone", tone="concern", write_up="A hard week.")

    more_families(4)  # and the Adams family: 5
    run(world)
    client = client_for(world.ta_a)
    client.get("/my-week/")  # what the first request of a process reads once
    five, r = _count(client, world)
    assert len({row.obligation.family_id for row in r.context["week"].overdue}) == 5
    more_families(25)
    run(world)
    thirty, r = _count(client, world)
    assert len({row.obligation.family_id for row in r.context["week"].overdue}) == 30
    assert "Families to celebrate" in r.content.decode()
    assert five == thirty <= MY_WEEK_QUERIES, (five, thirty)
    print(f"my week queries: {five} at 5 families, {thirty} at 30")
