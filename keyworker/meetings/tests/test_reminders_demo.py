"""The demo's reminders: a review in 3 days reminded by e-mail, and a phone-preferring family as a My week task."""

import pytest
from django.core import mail

from keyworker.meetings.models import AppointmentReminder, ReminderState
from keyworker.meetings.reminders_demo import demo_history
from keyworker.notifications.services import deliveries_run
from keyworker.testing import allocate

from .reminder_world import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_sends_an_email_reminder_and_gives_the_key_worker_a_phone_task(world, client_for):
    allocate(world.family_unallocated, world.school, world.ta_a)
    demo_history(organisation=world.org)
    states = sorted(AppointmentReminder.objects.values_list("state", "channel"))
    assert states == [(ReminderState.SENT, "email"), (ReminderState.TO_DO, "phone")]
    assert deliveries_run(now=NOW, worker_id="demo").sent == 1
    assert mail.outbox[0].subject.startswith("Reminder: your appointment with Test Primary")
    page = client_for(world.ta_a).get("/my-week/").content.decode()
    assert "by phone: Review meeting on" in page
    assert client_for(world.ta_a).post("/meetings/calendar/address/").status_code == 302
