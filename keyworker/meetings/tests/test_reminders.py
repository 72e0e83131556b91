"""The reminder run (SCH-6): each invited carer reminded once, by their preferred channel, a few days before."""

import datetime as dt

import pytest
from django.core import mail

from keyworker.meetings.models import AppointmentReminder, ReminderState
from keyworker.meetings.reminders import reminder_days, reminders_done, reminders_run, reminders_send
from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import deliveries_run
from keyworker.organisations.models import Setting
from keyworker.people.models import ContactMethod, ContactRestriction
from keyworker.standards.models import Standard
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import carer_account, make_family

from .reminder_world import NOW, TODAY, appointment, carer_of, emailing

pytestmark = pytest.mark.django_db
T = dt.timedelta


def test_an_email_preferring_carer_is_emailed_once_with_only_time_place_and_setting(world):
    carer = emailing(world.family_a, "amy.adams@example.org")
    user = carer_account(carer)
    a = appointment(world, family=world.family_a, carers=[carer], place="The blue room")
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 1
    r = AppointmentReminder.objects.get()
    assert (r.state, r.channel, r.done_at, r.key_worker_id) == (ReminderState.SENT, ContactMethod.EMAIL, NOW, world.ta_a.pk)
    n = Notification.objects.get(recipient=user)
    assert n.kind == "appointment_reminder" and n.link == "/family/"
    # Only the time, the place and the setting's name: never the child, the notes or why.
    assert "Fri 20 November 2026 at 10:30" in n.body and "The blue room" in n.body and "Test Primary" in n.body
    assert "EHCP" not in n.body and "Alfie" not in n.body and "Review" not in n.body
    # The worker sends it.
    assert deliveries_run(now=NOW, worker_id="w1").sent == 1
    assert [m.to for m in mail.outbox] == [["amy.adams@example.org"]]
    # Another run (or the next day's) tells nobody again.
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW + T(minutes=1)) == 0
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY + T(days=1), now=NOW + T(days=1)) == 0
    assert Notification.objects.count() == 1 and AppointmentReminder.objects.count() == 1
    assert a.reminders.count() == 1


def test_a_carer_without_a_portal_account_is_emailed_at_their_address(world):
    carer = emailing(world.family_a, "no.account@example.org")
    appointment(world, family=world.family_a, carers=[carer])
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    n = Notification.objects.get()
    assert (n.recipient_id, n.to_email, n.organisation_id) == (None, "no.account@example.org", world.org.pk)
    assert deliveries_run(now=NOW, worker_id="w1").sent == 1
    assert mail.outbox[0].to == ["no.account@example.org"]


@pytest.mark.parametrize("channel", [ContactMethod.PHONE, ContactMethod.MESSAGING_APP, ContactMethod.FACE_TO_FACE,
                                     ContactMethod.LETTER])
def test_a_channel_the_product_cannot_send_through_becomes_the_key_workers_task(world, channel):
    carer = carer_of(world.family_a, preferred_contact_method=channel, email="a@example.org")
    carer_account(carer)
    appointment(world, family=world.family_a, carers=[carer])
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 1
    r = AppointmentReminder.objects.get()
    assert (r.state, r.channel, r.key_worker_id, r.done_at) == (ReminderState.TO_DO, channel, world.ta_a.pk, None)
    assert not Notification.objects.exists()
    # A task to do is not yet evidence.
    assert list(reminders_done(world.org.pk, TODAY - T(days=7), TODAY, {})) == []


def test_an_email_preferring_carer_with_no_address_becomes_a_task(world):
    carer = carer_of(world.family_a, preferred_contact_method=ContactMethod.EMAIL, email="")
    appointment(world, family=world.family_a, carers=[carer])
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    assert AppointmentReminder.objects.get().state == ReminderState.TO_DO and not Notification.objects.exists()


def test_no_reminder_to_a_carer_under_no_contact_for_a_cancelled_appointment_or_one_declined(world):
    barred = carer_of(world.family_a, contact_restriction=ContactRestriction.NO_CONTACT,
                      preferred_contact_method=ContactMethod.EMAIL, email="barred@example.org")
    carer_b = emailing(world.family_b, "b@example.org")
    appointment(world, family=world.family_a, carers=[barred])
    appointment(world, family=world.family_b, carers=[carer_b], status="cancelled")
    declined = appointment(world, family=world.family_b, carers=[carer_b])
    declined.invitees.update(rsvp="no")
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 0
    assert not AppointmentReminder.objects.exists() and not Notification.objects.exists()


def test_no_reminder_to_a_carer_under_a_court_order_or_information_only(world):
    """"Never to a carer under a restriction": not an e-mail, not a task for the key worker either."""
    from keyworker.people.models import Carer

    free = emailing(world.family_a, "free@example.org")
    court = Carer.objects.create(organisation=world.org, family=world.family_a, first_name="Cal", last_name="Court",
                                 email="court@example.org", preferred_contact_method=ContactMethod.EMAIL,
                                 contact_restriction=ContactRestriction.COURT_ORDER)
    info = Carer.objects.create(organisation=world.org, family=world.family_a, first_name="Ida", last_name="Info",
                                email="info@example.org", preferred_contact_method=ContactMethod.PHONE,
                                contact_restriction=ContactRestriction.INFORMATION_ONLY)
    appointment(world, family=world.family_a, carers=[free, court, info])
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 1
    assert list(AppointmentReminder.objects.values_list("carer_id", flat=True)) == [free.pk]
    assert Notification.objects.count() == 1


def test_only_appointments_within_the_policys_days_and_still_to_come(world):
    carer = emailing(world.family_a, "a@example.org")
    inside = appointment(world, family=world.family_a, carers=[carer], starts_in=T(days=3))
    appointment(world, family=world.family_a, carers=[carer], starts_in=T(days=4, hours=14))  # Mon 23: too early
    appointment(world, family=world.family_a, carers=[carer], starts_in=-T(hours=1))  # already begun
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 1
    assert AppointmentReminder.objects.get().appointment_id == inside.pk
    # Four days later the Monday one is due.
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY + T(days=2), now=NOW + T(days=2)) == 1


def test_the_number_of_days_is_read_from_the_organisations_adopted_standard(world):
    assert reminder_days(world.org.pk) == 3
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    Standard.objects.filter(organisation=world.org, evidence="appointment_reminder").update(cadence_n=7)
    assert reminder_days(world.org.pk) == 7
    carer = emailing(world.family_a, "a@example.org")
    appointment(world, family=world.family_a, carers=[carer], starts_in=T(days=6))
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 1
    assert AppointmentReminder.objects.get().due_on == TODAY - T(days=1)


def test_each_carer_of_a_session_for_many_families_is_reminded_and_outsiders_never(world):
    a_carer, b_carer = emailing(world.family_a, "a@example.org"), carer_of(world.family_b)
    appointment(world, carers=[a_carer, b_carer], title="Parents' evening")
    other = emailing(world.other_family, "z@example.org")
    appointment(world, org=world.other_org, setting=Setting.objects.get(organisation=world.other_org), carers=[other],
                created_by=world.outsider)
    assert reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW) == 2
    states = dict(AppointmentReminder.objects.values_list("carer_id", "state"))
    assert states == {a_carer.pk: ReminderState.SENT, b_carer.pk: ReminderState.TO_DO}
    assert AppointmentReminder.objects.get(carer=b_carer).key_worker_id == world.teacher_b.pk
    assert AppointmentReminder.objects.filter(organisation=world.other_org).count() == 0
    assert reminders_run(organisation_id=world.other_org.pk, as_of=TODAY, now=NOW) == 1


def test_a_sent_reminder_is_evidence_about_its_appointment_event(world):
    carer = emailing(world.family_a, "a@example.org")
    a = appointment(world, family=world.family_a, carers=[carer])
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    [row] = reminders_done(world.org.pk, TODAY, TODAY, {})
    assert (row.family_id, row.on, row.about) == (world.family_a.pk, TODAY, f"appointment:{a.pk}")
    assert list(reminders_done(world.org.pk, TODAY, TODAY, {}, families={world.family_b.pk})) == []


@pytest.mark.parametrize("size", [4, 40])
def test_the_run_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries, size):
    for i in range(size):
        family = make_family(world.org, f"The F{i} family")
        carer = carer_of(family, preferred_contact_method=ContactMethod.EMAIL if i % 2 else ContactMethod.PHONE,
                         email=f"c{i}@example.org")
        if i % 4 == 1:
            carer_account(carer)
        appointment(world, family=family, carers=[carer])
    with django_assert_max_num_queries(16):
        assert reminders_send(organisation_id=world.org.pk, as_of=TODAY, now=NOW).total == size
    assert Delivery.objects.count() == size // 2
