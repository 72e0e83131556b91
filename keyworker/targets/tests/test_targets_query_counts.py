"""Each page of learning targets and homework reads a fixed number of queries, whatever the number of children,
targets, reviews, notes, homework and returns: measured small, grown tenfold, measured again."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.core import clock
from keyworker.targets import services
from keyworker.targets.models import ShareMethod, TargetStatus
from keyworker.testing import make_child, make_family, portal_client

from .helpers import homework, target

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30


def _grow(world, n: int, hw) -> None:
    teacher = world.actor(world.teacher_a)
    carer = world.family_a.carers.order_by("id").first()
    for i in range(n):
        child = make_child(make_family(world.org), world.school, world.class_a, legal_first_name=f"Kid{i}")
        t = target(world, child=child, what=f"Target {i}")
        services.targets_share(actor=teacher, child=child, method=ShareMethod.PAPER)
        services.target_review(actor=teacher, target=t, progress="Going well", status=TargetStatus.WORKING,
                               next_review_on=clock.today() + dt.timedelta(days=40))
        services.homework_returns_mark(actor=teacher, homework=hw, returned={child.pk: i % 2 == 0})
        mine = target(world, what=f"Alfie's {i}")
        services.target_review(actor=teacher, target=mine, progress=f"Note {i}", status=TargetStatus.WORKING,
                               next_review_on=clock.today() + dt.timedelta(days=40))
        services.targets_share(actor=teacher, child=world.child_a, method=ShareMethod.PORTAL)
        services.home_note_add(link=carer, child=world.child_a, text=f"Note {i}")
        other = homework(world, title=f"Homework {i}")
        services.homework_feedback_give(actor=teacher, homework=other, child_id=world.child_a.pk, feedback="Good")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_pages_read_a_fixed_number_of_queries(world, client_for):
    hw = homework(world, title="The class's homework")
    carer = world.family_a.carers.order_by("id").first()
    staff_urls = [reverse("targets:index") + f"?group={world.class_a.pk}", reverse("targets:child", args=[world.child_a.pk]),
                  reverse("targets:homework"), reverse("targets:homework_detail", args=[hw.pk]), reverse("week:my_week")]
    portal_urls = [reverse("portal:targets"), reverse("portal:targets_child", args=[world.child_a.pk]),
                   reverse("portal:homework_child", args=[world.child_a.pk]), reverse("portal:home")]
    _grow(world, SMALL, hw)
    staff, family = client_for(world.teacher_a), portal_client(carer)
    staff.get(staff_urls[0]), family.get(portal_urls[0])  # the first request of a session does its own bookkeeping
    small = {u: _count(staff, u) for u in staff_urls} | {u: _count(family, u) for u in portal_urls}
    _grow(world, LARGE - SMALL, hw)
    large = {u: _count(staff, u) for u in staff_urls} | {u: _count(family, u) for u in portal_urls}
    assert large == small
    assert max(large.values()) < 60, large
