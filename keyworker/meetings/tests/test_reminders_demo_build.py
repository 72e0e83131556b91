"""The whole demo, built as `keyworker demo` builds it: its school has an e-mail reminder waiting to go out to
demo-emails/ and a key worker with a "remind by phone" task on My week."""

import pytest

from keyworker.demo import builder
from keyworker.meetings.models import AppointmentReminder
from keyworker.notifications.models import Delivery, Notification
from keyworker.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_school_has_an_email_reminder_and_a_phone_task(clock, client):
    builder.build()
    school = Organisation.objects.get(slug=builder.SCHOOL_SLUG)
    sent = AppointmentReminder.objects.get(organisation=school, state="sent")
    task = AppointmentReminder.objects.get(organisation=school, state="to_do", channel="phone")
    n = Notification.objects.get(kind="appointment_reminder", organisation_id=school.pk)
    assert Delivery.objects.filter(notification=n, status="pending").exists()  # the worker writes it to demo-emails/
    assert sent.appointment.kind == "annual_review" and task.key_worker_id == sent.key_worker_id
    client.force_login(task.key_worker.user)
    page = client.get("/my-week/").content.decode()
    assert "by phone: Review meeting on" in page
