"""The monitoring demo history: last month's sample signed off and acknowledged, this month's in progress; and
nothing written (without failing) when no record kinds are registered."""

import pytest

from keyworker.care.models_monitoring import MonitoringFinding, MonitoringSample
from keyworker.care.monitoring_demo import demo_history

from .monitoring_helpers import AS_OF, make_nursery, no_sources_fixture, sources_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_demo_history(world, sources):
    nursery = make_nursery(world, 8)
    assert demo_history(organisation=world.org, today=AS_OF) == 2
    last, current = MonitoringSample.objects.filter(setting=nursery.setting).order_by("month")
    assert last.is_signed_off and last.month.month == 10 and not current.is_signed_off
    assert current.items.filter(scored_at__isnull=False).count() == 1
    acknowledged = MonitoringFinding.objects.filter(item__sample=last, acknowledged_at__isnull=False)
    # The busiest key person acknowledged theirs; the other key person's are still waiting.
    assert len({f.staff_id for f in acknowledged}) == 1
    assert MonitoringFinding.objects.filter(item__sample=last, acknowledged_at__isnull=True).exists()


def test_demo_history_without_sources(world, no_sources):
    make_nursery(world)
    assert demo_history(organisation=world.org, today=AS_OF) == 0
    assert not MonitoringSample.objects.exists()
