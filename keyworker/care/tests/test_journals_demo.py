"""The demo's learning journals: observations over the term in the early years setting, a group observation with
photos, a carer's comment, an approved wow moment and one awaiting approval, and two journals out of date."""

import pytest

from keyworker.care.journals_evidence import monitored_journals
from keyworker.care.models_journals import JournalComment, Observation, ObservationPhoto, WowMoment, WowState
from keyworker.core.clock import today as clock_today
from keyworker.demo import builder
from keyworker.organisations.models import Setting

pytestmark = pytest.mark.django_db


def test_the_demo_has_learning_journals(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    builder.build()
    observations = Observation.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert observations.count() > 20
    group = [o for o in observations.prefetch_related("tags") if o.tags.count() > 1]
    assert group and ObservationPhoto.objects.filter(observation=group[0]).count() == 2
    assert group[0].interests and group[0].schemas and group[0].next_steps.exists()
    assert JournalComment.objects.filter(organisation__slug=builder.GROUP_SLUG).exists()
    states = set(WowMoment.objects.filter(organisation__slug=builder.GROUP_SLUG).values_list("state", flat=True))
    assert states == {WowState.APPROVED, WowState.AWAITING}
    setting = Setting.objects.get(organisation__slug=builder.GROUP_SLUG, kind="early_years")
    records = monitored_journals(setting, clock_today(setting.time_zone))
    observed = {c for c in observations.values_list("tags__child_id", flat=True)}
    assert len([r for r in records.values() if r.child_id in observed and not r.up_to_date]) == 2
