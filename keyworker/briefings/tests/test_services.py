"""Briefings made from key aspects changes: recipients, notifications, the author's own acknowledgement, acknowledging."""

import pytest
from django.db import IntegrityError, transaction

from keyworker.briefings.models import Briefing, BriefingChange, BriefingRecipient, RecipientRole
from keyworker.briefings.services import (
    briefing_acknowledge,
    briefing_create,
    briefings_acknowledge_child,
    recipients_for,
)
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Delivery, Notification
from keyworker.people.models import KeyAspectChange
from keyworker.people.services import key_aspects_update


def _change(world, staff, child=None, **changes):
    key_aspects_update(actor=world.actor(staff), child=child or world.child_a, changes=changes or {"allergies": "Peanuts"})
    return Briefing.objects.filter(child=child or world.child_a).order_by("-id").first()


def _rows(briefing):
    return {r.staff_id: r for r in BriefingRecipient.objects.filter(briefing=briefing)}


def test_key_worker_and_class_team_are_briefed(world):
    briefing = _change(world, world.headteacher)
    rows = _rows(briefing)
    assert set(rows) == {world.ta_a.pk, world.teacher_a.pk}
    assert rows[world.ta_a.pk].role == RecipientRole.KEY_WORKER
    assert rows[world.teacher_a.pk].role == RecipientRole.CLASS_TEAM
    assert all(r.acknowledged_at is None for r in rows.values())
    assert briefing.group_id == world.class_a.pk and briefing.changed_by == world.headteacher.user
    assert recipients_for(world.child_b) == {world.teacher_b.pk: RecipientRole.KEY_WORKER,
                                             world.safeguarding_lead.pk: RecipientRole.CLASS_TEAM}


def test_several_fields_at_once_are_one_briefing(world):
    key_aspects_update(actor=world.actor(world.headteacher), child=world.child_a,
                       changes={"allergies": "Peanuts", "religion": "Sikh", "first_language": "English"})
    assert Briefing.objects.filter(child=world.child_a).count() == 1
    briefing = Briefing.objects.get(child=world.child_a)
    # First language was already English: only the two real changes.
    assert sorted(i.change.field for i in briefing.items.select_related("change")) == ["allergies", "religion"]


def test_nothing_changed_no_briefing(world):
    key_aspects_update(actor=world.actor(world.headteacher), child=world.child_a, changes={"first_language": "English"})
    assert not Briefing.objects.exists()


def test_the_author_on_the_team_is_acknowledged_at_once(world, clock):
    briefing = _change(world, world.teacher_a)
    rows = _rows(briefing)
    assert rows[world.teacher_a.pk].acknowledged_at is not None and rows[world.teacher_a.pk].acknowledged_as_author
    assert rows[world.ta_a.pk].acknowledged_at is None


def test_an_author_off_the_team_is_not_a_recipient(world):
    briefing = _change(world, world.admin_office)
    assert world.admin_office.pk not in _rows(briefing)


def test_notifications_key_worker_at_once_class_team_in_the_digest(world):
    briefing = _change(world, world.headteacher, allergies="Peanuts (EpiPen in class)")
    kw = Notification.objects.get(recipient=world.ta_a.user)
    team = Notification.objects.get(recipient=world.teacher_a.user)
    assert not kw.digest and team.digest
    assert Delivery.objects.filter(notification=kw).exists() and not Delivery.objects.filter(notification=team).exists()
    assert "Alfie Adams" in kw.subject and "allergies" in kw.subject
    assert kw.link == f"/briefings/{briefing.pk}/"
    assert not Notification.objects.filter(recipient=world.headteacher.user).exists()


def test_the_author_is_not_notified(world):
    _change(world, world.ta_a)
    assert not Notification.objects.filter(recipient=world.ta_a.user).exists()
    assert Notification.objects.filter(recipient=world.teacher_a.user).exists()


def test_no_duplicate_briefing_for_a_batch(world):
    briefing = _change(world, world.headteacher)
    changes = list(KeyAspectChange.objects.filter(child=world.child_a))
    assert briefing_create(child=world.child_a, changes=changes, actor=world.actor(world.headteacher)) is None
    assert Briefing.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        BriefingChange.objects.create(organisation=world.org, briefing=briefing, change=changes[0])


def test_a_failed_change_leaves_no_briefing(world):
    """The briefing is written in the change's transaction: both or neither."""
    with pytest.raises(RuntimeError), transaction.atomic():
        key_aspects_update(actor=world.actor(world.headteacher), child=world.child_a, changes={"allergies": "Peanuts"})
        raise RuntimeError
    assert not Briefing.objects.exists() and not Notification.objects.exists()


def test_a_child_without_class_or_key_worker_gets_an_empty_briefing(world):
    world.child_a.group = None
    world.child_a.save()
    world.family_a.allocations.all().delete()
    briefing = _change(world, world.headteacher)
    assert briefing is not None and not _rows(briefing)


def test_acknowledge_records_the_time_and_twice_changes_nothing(world, clock):
    briefing = _change(world, world.headteacher)
    first = briefing_acknowledge(actor=world.actor(world.ta_a), briefing=briefing)
    at = first.acknowledged_at
    assert at is not None and not first.acknowledged_as_author
    clock.shift(3600)
    again = briefing_acknowledge(actor=world.actor(world.ta_a), briefing=briefing)
    assert again.acknowledged_at == at
    assert BriefingRecipient.objects.get(briefing=briefing, staff=world.ta_a).acknowledged_at == at


@pytest.mark.parametrize("persona", ["teacher_b", "headteacher", "outsider"])
def test_a_non_recipient_cannot_acknowledge(world, persona):
    briefing = _change(world, world.admin_office)
    with pytest.raises(RuleViolation) as exc:
        briefing_acknowledge(actor=world.actor(world.personas[persona]), briefing=briefing)
    assert exc.value.rule == "scope"


def test_acknowledge_all_for_a_child(world, clock):
    _change(world, world.headteacher, allergies="Peanuts")
    clock.shift(60)
    _change(world, world.headteacher, religion="Sikh")
    _change(world, world.headteacher, child=world.child_b, religion="Hindu")
    assert briefings_acknowledge_child(actor=world.actor(world.ta_a), child=world.child_a) == 2
    assert not BriefingRecipient.objects.filter(staff=world.ta_a, acknowledged_at__isnull=True).exists()
    assert briefings_acknowledge_child(actor=world.actor(world.ta_a), child=world.child_a) == 0
    # Another person's rows are untouched.
    assert BriefingRecipient.objects.filter(staff=world.teacher_a, acknowledged_at__isnull=True).count() == 2
