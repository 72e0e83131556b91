"""Week by week attendance: counts per week in one query, bars against the thresholds, a table behind the picture."""

import datetime as dt
from decimal import Decimal

import pytest

from keyworker.attendance.tests.factories import put
from keyworker.attendance.trend import trend, weekly_rates

pytestmark = pytest.mark.django_db
D = dt.date


def _mark(world, child, day, session, c):
    put(child, day, session, c)


@pytest.fixture
def marks(world):
    # Week of 9 November: 10 sessions, all present. Week of 16 November: 6 present, 2 N (Tuesday), 2 not possible
    # (Y1, Thursday); up to today (Wednesday 18th) 4 present and 2 N.
    for day in range(9, 14):
        for s in ("AM", "PM"):
            _mark(world, world.child_a, D(2026, 11, day), s, "/" if s == "AM" else "\\")
    for i, day in enumerate(range(16, 21)):
        codes = [("/", "\\"), ("N", "N"), ("/", "\\"), ("Y1", "Y1"), ("/", "\\")][i]
        _mark(world, world.child_a, D(2026, 11, day), "AM", codes[0])
        _mark(world, world.child_a, D(2026, 11, day), "PM", codes[1])


def test_weeks_are_counted_in_one_query_with_not_possible_left_out(world, marks, django_assert_num_queries):
    with django_assert_num_queries(1):
        weeks = weekly_rates(world.org.pk, D(2026, 9, 1), D(2026, 11, 20), group_id=world.class_a.pk)
    assert [w for w, _ in weeks] == [D(2026, 11, 9), D(2026, 11, 16)]
    first, second = weeks[0][1], weeks[1][1]
    assert (first.present, first.possible, first.attendance_pct) == (10, 10, Decimal("100.0"))
    assert (second.present, second.unauthorised, second.not_possible, second.possible) == (6, 2, 2, 8)
    assert second.attendance_pct == Decimal("75.0")


def test_bars_take_the_colour_of_their_band(world, marks):
    t = trend(world.org.pk, D(2026, 9, 1), D(2026, 11, 20), Decimal(90), Decimal(50), child_id=world.child_a.pk)
    assert [w.tone for w in t.weeks] == ["ok", "warn"]
    assert t.weeks[0].y < t.weeks[1].y < t.severe_y and t.persistent_y < t.severe_y


def test_the_class_and_child_pages_draw_the_trend_with_its_table(world, marks, client_for):
    client = client_for(world.teacher_a)
    for url in (f"/attendance/classes/{world.class_a.pk}/", f"/attendance/children/{world.child_a.pk}/"):
        html = client.get(url).content.decode()
        assert "Week by week this school year" in html and "<svg" in html
        assert "16/11/2026" in html and "66.7%" in html  # the week so far


def test_attendance_to_celebrate_leads_to_an_attendance_milestone_for_the_child(world, client_for):
    from django.template.loader import render_to_string

    class Item:
        child = world.child_a
        since = D(2026, 11, 2)

    html = render_to_string("attendance/_celebrate_panel.html", {"panel": [Item()]})
    link = f"/celebrations/new/?child={world.child_a.pk}&amp;kind=attendance_milestone"
    assert link in html
    page = client_for(world.ta_a).get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["kind"] == "attendance_milestone" and form.initial["child"] == world.child_a.pk


def test_the_chart_labels_its_axes_and_says_what_it_shows(world, marks, client_for):
    t = trend(world.org.pk, D(2026, 9, 1), D(2026, 11, 20), Decimal(90), Decimal(50), child_id=world.child_a.pk)
    assert [day for _, day in t.labels] == [D(2026, 11, 9), D(2026, 11, 16)]
    assert [pct for pct, _ in t.y_ticks] == [0, 25, 50, 75, 100]
    assert (t.highest.starts_on, t.lowest.starts_on, t.at_or_below_persistent, t.at_or_below_severe) == (
        D(2026, 11, 9), D(2026, 11, 16), 1, 0)
    html = client_for(world.teacher_a).get(f"/attendance/children/{world.child_a.pk}/").content.decode()
    assert ">9 Nov</text>" in html and ">16 Nov</text>" in html
    assert ">Week commencing</text>" in html and ">Attendance (%)</text>" in html
    assert 'aria-labelledby="trend-title trend-desc"' in html
    assert ("2 weeks, from the week commencing Mon 9 November 2026 to the week commencing Mon 16 November 2026. "
            "Highest 100.0% (week commencing Mon 9 November 2026), lowest 66.7% (week commencing Mon 16 November 2026). "
            "1 week at or below the persistent absence line (90%), 0 at or below the severe line (50%).") in html


def test_many_weeks_are_labelled_without_overlapping(world):
    from keyworker.attendance.trend import LABEL_GAP

    for week in range(13):
        _mark(world, world.child_a, D(2026, 9, 7) + dt.timedelta(weeks=week), "AM", "/")
    t = trend(world.org.pk, D(2026, 9, 1), D(2026, 12, 18), Decimal(90), Decimal(50), child_id=world.child_a.pk)
    xs = [x for x, _ in t.labels]
    assert len(t.weeks) == 13 and 4 <= len(xs) < 13
    assert all(b - a >= LABEL_GAP for a, b in zip(xs, xs[1:], strict=False))
