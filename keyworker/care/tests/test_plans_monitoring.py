"""The care plan as a monitoring source (CC-M3): where each child's plan stands on a date, in a fixed number of
queries whatever the number of children."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..models_plans import ChildChose
from ..monitoring_sources import monitoring_sources
from ..plans_monitoring import records
from ..plans_services import care_plan_review_record, care_plan_save
from .plans_helpers import SECTIONS, add_children, make_club

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


def test_the_source_is_registered_for_childcare_settings():
    source = next(s for s in monitoring_sources("out_of_school_care") if s.kind == "care_plan")
    assert source.label == "Personal care plan" and "early_years" in source.setting_kinds
    assert "care_plan" not in [s.kind for s in monitoring_sources("school")]


def test_records_say_where_each_plan_stands_in_a_fixed_number_of_queries(world):
    club = make_club(world)
    reviewed, never = add_children(club, 2)
    for child in (club.child, reviewed):
        care_plan_save(actor=world.actor(club.key_contact), child=child, sections=SECTIONS, as_of=dt.date(2026, 9, 10))
    care_plan_review_record(actor=world.actor(club.key_contact), child=reviewed, reviewed_on=dt.date(2026, 11, 2),
                            child_chose=ChildChose.KEY_WORKER)
    with CaptureQueriesContext(connection) as small:
        out = records(club.setting, TODAY)
    assert set(out) == {club.child.pk, reviewed.pk, never.pk}
    late, good, none = out[club.child.pk], out[reviewed.pk], out[never.pk]
    assert (late.up_to_date, late.last_updated, late.last_reviewed, late.next_due) == (False, dt.date(2026, 9, 10), None,
                                                                                      dt.date(2026, 9, 30))
    assert "Review overdue by 49 days" in late.reason and "28 days" in late.reason
    assert good.up_to_date and good.last_reviewed == dt.date(2026, 11, 2) and good.next_due == dt.date(2027, 5, 2)  # the test calendar has no term after Autumn 2026
    assert good.url == f"/care/plans/children/{reviewed.pk}/"
    assert not none.up_to_date and none.reason.startswith("No care plan yet")
    for child in add_children(club, 15):
        care_plan_save(actor=world.actor(club.key_contact), child=child, sections=SECTIONS, as_of=dt.date(2026, 9, 10))
    with CaptureQueriesContext(connection) as large:
        assert len(records(club.setting, TODAY)) == 18
    assert len(large.captured_queries) == len(small.captured_queries) <= 6


def test_the_demo_history_tells_the_story(world):
    from ..models_plans import CarePlan, CarePlanComment, CarePlanReview
    from ..plans_demo import demo_history

    club = make_club(world)
    add_children(club, 3)
    assert demo_history(organisation=world.org, today=TODAY) == 4
    assert CarePlanReview.objects.filter(child_chose=ChildChose.STAFF).exclude(chosen_staff=club.key_contact).count() == 1
    assert CarePlanComment.objects.filter(asks_review=True, answered_by__isnull=True).count() == 1
    overdue = [r for r in records(club.setting, TODAY).values() if r.last_updated and not r.up_to_date]
    assert len(overdue) == 1
    assert CarePlan.objects.filter(current__number=2).count() == 3
