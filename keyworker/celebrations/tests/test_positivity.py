"""Positivity: figures against hand-computed ones, the threshold's edges, windows, the My week panel in fixed queries."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.celebrations import panel
from keyworker.celebrations.models import PositivityRule
from keyworker.celebrations.positivity import (
    ToneCounts,
    counts_by_author,
    counts_by_group,
    families_positivity,
    periods_for,
    rule_for,
    setting_overview,
)
from keyworker.celebrations.services import celebration_record
from keyworker.contacts.models import ContactLog
from keyworker.core import clock
from keyworker.people.models import KeyAspects
from keyworker.testing import allocate, make_child, make_family

TODAY = dt.date(2026, 11, 18)
_minutes = itertools.count()


def contact(world, tone, day=TODAY, family=None, author=None, voided=False):
    c = ContactLog.objects.create(
        organisation=world.org, family=family or world.family_a, setting=world.school, author=author or world.ta_a, happened_on=day,
        channel="phone", tone=tone, write_up="Spoke with mum about the week at school.",
        created_at=clock.now() + dt.timedelta(minutes=next(_minutes)),
    )
    if voided:
        ContactLog.objects.filter(pk=c.pk).update(voided_at=clock.now(), void_reason="Wrong family")
    return c


def family_result(world, family=None, rule=None, as_of=TODAY):
    rule = rule or rule_for(world.org.pk)
    period = periods_for(rule, {world.school.pk}, as_of)[world.school.pk]
    fid = (family or world.family_a).pk
    return families_positivity(world.org.pk, {fid: period}, rule, as_of)[fid]


@pytest.mark.parametrize(("counts", "threshold", "expected"), [
    (ToneCounts(positive=2, concern=2), 50, False),          # exactly 50% is not "predominantly"
    (ToneCounts(celebration=1, positive=2, concern=2), 50, True),   # 60 %
    (ToneCounts(positive=1, neutral=1), 49, True),
    (ToneCounts(positive=1, neutral=1), 50, False),
    (ToneCounts(positive=3), 100, False),                     # nothing is more than 100 %
    (ToneCounts(positive=1, concern=99), 0, True),
    (ToneCounts(neutral=2), 0, False),
    (ToneCounts(), 50, False),
])
def test_predominantly_positive_edges(counts, threshold, expected):
    assert counts.predominantly_positive(threshold) is expected


def test_share_rounds_down():
    assert ToneCounts(positive=2, concern=1).share == 66
    assert ToneCounts(celebration=1, positive=0, neutral=1).share == 50
    assert ToneCounts().share is None


def test_family_figures_by_hand(world):
    # This half term (Autumn 2, from 2 Nov): 1 celebration, 1 positive, 1 neutral, 2 concerns = 2/5 = 40%.
    for tone, day in [("celebration", dt.date(2026, 11, 3)), ("positive", dt.date(2026, 11, 5)), ("neutral", dt.date(2026, 11, 9)),
                      ("concern", dt.date(2026, 11, 12)), ("concern", dt.date(2026, 11, 16))]:
        contact(world, tone, day)
    contact(world, "positive", dt.date(2026, 10, 20))               # Autumn 1: outside the window
    contact(world, "positive", dt.date(2026, 11, 17), voided=True)  # voided: never counts
    contact(world, "positive", dt.date(2026, 11, 17), family=world.family_b, author=world.teacher_b)
    result = family_result(world)
    assert result.counts == ToneCounts(celebration=1, positive=1, neutral=1, concern=2)
    assert (result.counts.total, result.counts.share) == (5, 40)
    assert result.flagged and "2 of 5 contacts in this half term (Autumn 2, from Mon 2 November 2026)" in result.reason
    assert result.last_tones == ("concern", "concern", "neutral")


def test_exactly_half_positive_is_flagged(world):
    for tone in ("positive", "concern", "celebration", "concern"):
        contact(world, tone)
    result = family_result(world)
    assert result.counts.share == 50 and result.flagged


def test_a_family_needs_the_minimum_number_of_contacts(world):
    contact(world, "concern", dt.date(2026, 11, 10))
    contact(world, "positive", dt.date(2026, 11, 11))
    assert not family_result(world).flagged  # 50% but only 2 contacts
    rule = PositivityRule.objects.create(organisation=world.org, min_contacts=2)
    assert family_result(world, rule=rule).flagged


def test_last_three_concerns_flag_whatever_the_share(world):
    for day in (2, 3, 4, 5, 6):
        contact(world, "positive", dt.date(2026, 11, day))
    for day in (10, 12, 16):
        contact(world, "concern", dt.date(2026, 11, day))
    result = family_result(world)
    assert result.counts.share == 62 and result.flagged
    assert result.reason == "The last 3 contacts were all about concerns."
    contact(world, "celebration", dt.date(2026, 11, 17))
    assert not family_result(world).flagged


def test_last_three_concerns_across_the_window(world):
    contact(world, "concern", dt.date(2026, 10, 20))  # Autumn 1
    contact(world, "concern", dt.date(2026, 11, 10))
    contact(world, "concern", dt.date(2026, 11, 12))
    result = family_result(world)
    assert result.counts.total == 2 and result.flagged and result.last_tones == ("concern",) * 3


def test_window_of_days_and_out_of_term(world):
    rule = PositivityRule.objects.create(organisation=world.org, window="days", window_days=7)
    period = periods_for(rule, {world.school.pk}, TODAY)[world.school.pk]
    assert (period.start, period.end, period.label) == (dt.date(2026, 11, 12), TODAY, "the last 7 days")
    rule.window = "half_term"
    holiday = dt.date(2026, 10, 28)  # the October half term holiday
    period = periods_for(rule, {world.school.pk}, holiday)[world.school.pk]
    assert period.start == holiday - dt.timedelta(days=41) and "42 days" in period.label


def test_key_worker_and_class_counts(world):
    contact(world, "celebration")
    contact(world, "concern")
    contact(world, "positive", family=world.family_b, author=world.ta_a)
    contact(world, "neutral", family=world.family_b, author=world.teacher_b)
    period = periods_for(rule_for(world.org.pk), {world.school.pk}, TODAY)[world.school.pk]
    by_author = counts_by_author(world.org.pk, {world.ta_a.pk, world.teacher_b.pk, world.headteacher.pk}, period)
    assert by_author == {world.ta_a.pk: ToneCounts(celebration=1, positive=1, concern=1), world.teacher_b.pk: ToneCounts(neutral=1)}
    # A second child of family A in class A counts its contacts once, not twice.
    make_child(world.family_a, world.school, world.class_a, legal_first_name="Amy")
    by_group = counts_by_group(world.org.pk, world.school.pk, period)
    assert by_group == {world.class_a.pk: ToneCounts(celebration=1, concern=1), world.class_b.pk: ToneCounts(positive=1, neutral=1)}


def test_setting_overview(world):
    for tone in ("concern", "concern", "positive"):
        contact(world, tone)
    contact(world, "positive", family=world.family_b, author=world.teacher_b)
    overview = setting_overview(world.school, rule_for(world.org.pk), TODAY)
    rows = {r.name: r for r in overview.key_workers}
    assert set(rows) == {"Kim Keyworker", "Ben Teacher"}
    kim = rows["Kim Keyworker"]
    assert (kim.families, kim.flagged, kim.counts.total, kim.counts.share, kim.predominantly_positive) == (1, 1, 3, 33, False)
    assert kim.widths() == (33, 0, 67)  # the bar fills to 100
    ben = rows["Ben Teacher"]
    assert (ben.families, ben.flagged, ben.counts.share, ben.predominantly_positive) == (1, 0, 100, True)
    classes = {r.name: r for r in overview.groups}
    assert (classes["Ash"].families, classes["Ash"].flagged) == (2, 1)  # Adams and the unallocated Cole family
    assert [f.name for f in overview.flagged] == ["The Adams family"] and overview.flagged[0].key_worker == "Kim Keyworker"
    assert overview.total == ToneCounts(positive=2, concern=2) and overview.family_count == 3


def test_setting_overview_fixed_queries(world, django_assert_max_num_queries):
    for i in range(12):
        fam = make_family(world.org)
        make_child(fam, world.school, world.class_a if i % 2 else world.class_b)
        allocate(fam, world.school, world.ta_a if i % 3 else world.teacher_a)
        for tone in ("concern", "positive", "concern"):
            contact(world, tone, family=fam)
    rule = rule_for(world.org.pk)
    with django_assert_max_num_queries(8):
        overview = setting_overview(world.school, rule, TODAY)
    assert len(overview.flagged) == 12


# The My week panel ---------------------------------------------------------------------------------

def test_panel_lists_flagged_families_with_ideas(world):
    KeyAspects.objects.filter(child=world.child_a).update(behaviour_plan="Calm corner", first_language="Polish")
    for tone in ("concern", "concern", "concern"):
        contact(world, tone)
    contact(world, "positive", family=world.family_b, author=world.ta_a)
    built = panel.build(world.actor(world.ta_a), TODAY)
    assert [row.family.name for row in built.families] == ["The Adams family"]
    row = built.families[0]
    texts = [s.text for s in row.suggestions]
    assert texts[0].startswith("Nothing celebrated for Alfie in this half term (Autumn 2, from Mon 2 November 2026); none in the last year.")
    assert any("Star of the week" in t for t in texts)
    assert any("behaviour plan" in t for t in texts) and any("Polish" in t for t in texts)
    assert any("attendance milestone" in t for t in texts) and any("learning target" in t for t in texts)
    assert f"child={world.child_a.pk}" in row.record_url and "next=%2Fmy-week%2F" in row.record_url
    assert built.own == ToneCounts(positive=1, concern=3) and built.own.share == 25 and not built.own_predominantly_positive


def test_panel_ideas_follow_this_half_terms_celebrations(world):
    for tone in ("concern", "concern", "concern"):
        contact(world, tone)
    celebration_record(actor=world.actor(world.ta_a), child=world.child_a, kind="star_of_the_week", title="Kindness",
                       celebrated_on=dt.date(2026, 11, 6))
    row = panel.build(world.actor(world.ta_a), TODAY).families[0]
    texts = [s.text for s in row.suggestions]
    assert not any(t.startswith("Nothing celebrated") for t in texts)
    assert not any("Nominate" in t for t in texts) and any("Dojo Points" in t for t in texts)


def test_panel_is_empty_for_a_leader_without_families(world):
    assert panel.build(world.actor(world.headteacher), TODAY) is None
    built = panel.build(world.actor(world.teacher_b), TODAY)
    assert built.families == [] and built.family_count == 1


def _build_queries(world) -> tuple[int, int]:
    """The panel's queries on its own, and its own on My week (which reads the caseload, its children and the term
    calendars once for every panel)."""
    actor = world.actor(world.ta_a)
    with CaptureQueriesContext(connection) as ctx:
        panel.build(actor, TODAY)
    alone = len(ctx.captured_queries)
    actor = world.actor(world.ta_a)
    with actor.reads_shared():
        panel.build(actor, TODAY)
        with CaptureQueriesContext(connection) as ctx:
            panel.build(actor, TODAY)
    return alone, len(ctx.captured_queries)


def test_panel_fixed_number_of_queries(world):
    for tone in ("concern", "concern", "concern"):
        contact(world, tone)
    few = _build_queries(world)
    for _ in range(15):
        fam = make_family(world.org)
        make_child(fam, world.school, world.class_a)
        make_child(fam, world.school, world.class_a)
        allocate(fam, world.school, world.ta_a)
        for tone in ("concern", "neutral", "concern"):
            contact(world, tone, family=fam)
    many = _build_queries(world)
    assert few == many
    assert many[0] <= 11 and many[1] <= 5
    assert len(panel.build(world.actor(world.ta_a), TODAY).families) == 16


def test_my_week_shows_the_panel(world, client_for):
    for tone in ("concern", "concern", "concern"):
        contact(world, tone)
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    assert "Families to celebrate" in html and "0 of 3 contacts in this half term (Autumn 2, from Mon 2 November 2026) were positive" in html
    assert f"/celebrations/new/?child={world.child_a.pk}" in html
    assert "0 of 3</strong> positive or celebrations (0%)" in html
