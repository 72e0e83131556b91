"""Each transitions page uses a fixed number of queries, whatever the number of leaving pupils, visits and shares:
built small, measured, grown tenfold, measured again."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.testing import allocate, make_child, make_family, portal_client

from .. import services
from .helpers import PLAN, at, plan_for, visit

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 20
FIRST = dt.date(2026, 11, 30)


def _grow(world, n: int) -> None:
    actor = world.actor(world.ta_a)
    for i in range(n):
        family = make_family(world.org, carers=1)
        child = make_child(family, world.school, world.class_a, year_group="Year 6")
        allocate(family, world.school, world.ta_a)
        plan = services.transition_plan_create(actor=actor, child=child, data=PLAN)
        visit(world, plan, FIRST + dt.timedelta(days=i % 3), staff=[world.ta_a, world.teacher_a])
        services.transition_dates_share(actor=actor, plan=plan)
        make_child(make_family(world.org), world.school, world.class_a, year_group="Year 6")  # no plan yet


def _grow_plan(world, plan, n: int) -> None:
    for i in range(n):
        visit(world, plan, FIRST + dt.timedelta(days=i), staff=[world.ta_a, world.teacher_a])
        services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)


def _count(client, url: str) -> int:
    client.get(url)  # the session's first request of the minute writes its activity: not the page's
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_cohort_view(world, client_for):
    client = client_for(world.headteacher)
    _grow(world, SMALL)
    small = _count(client, "/transitions/")
    _grow(world, LARGE - SMALL)
    assert _count(client, "/transitions/") == small


def test_the_plan_page_and_the_week_panel(world, client_for):
    plan = plan_for(world)
    client = client_for(world.ta_a)
    _grow_plan(world, plan, SMALL)
    _grow(world, SMALL)
    small = _count(client, f"/transitions/{plan.pk}/"), _count(client, "/my-week/")
    _grow_plan(world, plan, LARGE - SMALL)
    _grow(world, LARGE - SMALL)
    assert (_count(client, f"/transitions/{plan.pk}/"), _count(client, "/my-week/")) == small


def test_the_carers_pages(world, clock):
    plan = plan_for(world)
    _grow_plan(world, plan, SMALL)
    client = portal_client(world.family_a.carers.first())
    small = _count(client, "/family/transitions/"), _count(client, f"/family/transitions/{plan.pk}/")
    _grow_plan(world, plan, LARGE - SMALL)
    clock.move_to(at(FIRST + dt.timedelta(days=1), 15))
    for v in plan.visits.filter(starts_at__lt=at(FIRST + dt.timedelta(days=1), 15)):
        services.transition_write_up_save_and_share(actor=world.actor(world.ta_a), visit=v,
                                                    text="It went well: lunch in the hall and a lab tour.")
    client = portal_client(world.family_a.carers.first())
    assert (_count(client, "/family/transitions/"), _count(client, f"/family/transitions/{plan.pk}/")) == small


def test_the_api_list(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=world.headteacher.user)
    _grow(world, SMALL)
    small = _count(client, "/api/v1/transition-plans/")
    _grow(world, LARGE - SMALL)
    assert _count(client, "/api/v1/transition-plans/") == small
