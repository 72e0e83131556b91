"""The key worker's reminder tasks: shown on My week, ticked off there, and then meeting SCH-6."""

import datetime as dt

import pytest

from keyworker.core.models import AuditEvent
from keyworker.meetings.models import AppointmentReminder, ReminderState
from keyworker.meetings.reminders import reminders_run
from keyworker.people.models import ContactMethod
from keyworker.standards.models import Obligation
from keyworker.standards.obligations import obligations_refresh
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import make_family

from .reminder_world import NOW, TODAY, AppointmentEvent, appointment, carer_of

pytestmark = pytest.mark.django_db
T = dt.timedelta


@pytest.fixture
def phone_task(world):
    carer = carer_of(world.family_a, preferred_contact_method=ContactMethod.PHONE, first_name="Amy", last_name="Adams")
    a = appointment(world, family=world.family_a, carers=[carer], starts_in=T(days=3), title="Review meeting")
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    return AppointmentReminder.objects.get(appointment=a)


def test_my_week_shows_the_task_and_ticking_it_off_meets_sch6(world, client_for, phone_task):
    with AppointmentEvent():
        policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
        obligations_refresh(organisation_id=world.org.pk, family_ids={world.family_a.pk}, as_of=TODAY)
        ob = Obligation.objects.get(standard__clause="SCH-6", family=world.family_a)
        assert ob.state in ("due_soon", "overdue") and ob.responsible_staff_id == world.ta_a.pk

        client = client_for(world.ta_a)
        page = client.get("/my-week/").content.decode()
        assert "Reminders to give before appointments" in page
        assert "Remind Amy Adams (The Adams family) by phone: Review meeting on Sat 21 November 2026" in page

        response = client.post(f"/meetings/reminders/{phone_task.pk}/done/", {"next": "/my-week/"})
        assert response.status_code == 302 and response["Location"] == "/my-week/"
        phone_task.refresh_from_db()
        assert (phone_task.state, phone_task.done_by_id) == (ReminderState.DONE, world.ta_a.pk)
        ob.refresh_from_db()
        assert (ob.state, ob.met_on, ob.evidence_ref) == ("met", TODAY, f"reminder:{phone_task.pk}")
        assert AuditEvent.objects.filter(event_type="appointment_reminder.done", object_id=phone_task.pk).exists()
        page = client.get("/my-week/").content.decode()
        assert "Reminders to give before appointments" not in page
        # Ticking it off twice changes nothing.
        client.post(f"/meetings/reminders/{phone_task.pk}/done/")
        assert AuditEvent.objects.filter(event_type="appointment_reminder.done").count() == 1


@pytest.mark.parametrize("persona", ["teacher_b", "admin_office", "outsider"])
def test_someone_else_cannot_tick_it_off_and_gets_404(world, client_for, phone_task, persona):
    response = client_for(world.personas[persona]).post(f"/meetings/reminders/{phone_task.pk}/done/")
    assert response.status_code == 404
    phone_task.refresh_from_db()
    assert phone_task.state == ReminderState.TO_DO


def test_a_leader_may_tick_it_off(world, client_for, phone_task):
    assert client_for(world.headteacher).post(f"/meetings/reminders/{phone_task.pk}/done/").status_code == 302
    phone_task.refresh_from_db()
    assert phone_task.state == ReminderState.DONE


def test_the_panel_is_not_shown_to_others_nor_for_a_cancelled_appointment(world, client_for, phone_task):
    assert "Reminders to give" not in client_for(world.teacher_b).get("/my-week/").content.decode()
    phone_task.appointment.status = "cancelled"
    phone_task.appointment.save()
    assert "Reminders to give" not in client_for(world.ta_a).get("/my-week/").content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_panel_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries, size):
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.meetings.reminders_panels import build

    for i in range(size):
        family = make_family(world.org, f"The F{i} family")
        KeyWorkerAllocation.objects.create(organisation=world.org, family=family, setting=world.school, staff=world.ta_a,
                                           starts_at=NOW - T(days=30))
        appointment(world, family=family, carers=[carer_of(family)])
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    actor = world.actor(world.ta_a)
    with django_assert_max_num_queries(2):
        panel = build(actor, TODAY)
        assert panel.total == size and len(panel.tasks) == min(size, 20)


def test_a_task_whose_appointment_has_passed_leaves_my_week(world, phone_task):
    from keyworker.meetings.reminders_panels import build

    actor = world.actor(world.ta_a)
    assert build(actor, TODAY + T(days=3)).total == 1  # the day of the appointment
    assert build(actor, TODAY + T(days=4)) is None


# A family with no key worker: the task is the organiser's, else the setting's leaders' ------------------------------------


def _cole_phone_task(world, **kwargs):
    carer = carer_of(world.family_unallocated, preferred_contact_method=ContactMethod.PHONE, first_name="Cal", last_name="Cole")
    a = appointment(world, family=world.family_unallocated, carers=[carer], starts_in=T(days=3), title="Settling-in chat", **kwargs)
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    return AppointmentReminder.objects.get(appointment=a)


def test_with_no_key_worker_the_task_is_the_organisers(world, client_for):
    task = _cole_phone_task(world, created_by=world.teacher_a)
    assert task.key_worker_id == world.teacher_a.pk
    page = client_for(world.teacher_a).get("/my-week/").content.decode()
    assert "Remind Cal Cole (The Cole family) by phone: Settling-in chat" in page
    assert "Remind Cal Cole" not in client_for(world.headteacher).get("/my-week/").content.decode()
    assert client_for(world.teacher_a).post(f"/meetings/reminders/{task.pk}/done/").status_code == 302
    task.refresh_from_db()
    assert (task.state, task.done_by_id) == (ReminderState.DONE, world.teacher_a.pk)


def test_with_no_key_worker_and_the_organiser_gone_the_setting_leaders_see_it(world, client_for):
    from keyworker.accounts.models import StaffMember

    StaffMember.objects.filter(pk=world.teacher_a.pk).update(is_active=False, left_on=TODAY - T(days=1))
    task = _cole_phone_task(world, created_by=world.teacher_a)
    assert task.key_worker_id is None
    for leader in (world.headteacher, world.deputy):
        page = client_for(leader).get("/my-week/").content.decode()
        assert "Remind Cal Cole (The Cole family) by phone" in page and "The family has no key worker here" in page
    for persona in ("key_worker", "teacher_b", "admin_office", "outsider"):
        assert "Remind Cal Cole" not in client_for(world.personas[persona]).get("/my-week/").content.decode(), persona
    assert client_for(world.outsider).post(f"/meetings/reminders/{task.pk}/done/").status_code == 404
    assert client_for(world.ta_a).post(f"/meetings/reminders/{task.pk}/done/").status_code == 404
    assert client_for(world.deputy).post(f"/meetings/reminders/{task.pk}/done/").status_code == 302
    task.refresh_from_db()
    assert task.state == ReminderState.DONE


def test_a_leader_of_another_setting_does_not_see_it(world):
    from keyworker.meetings.reminders_panels import build
    from keyworker.testing import make_setting, make_staff

    other = make_setting(world.org, name="Second Primary")
    other_head = make_staff(world.org, other, ["leadership_team"], name="Olive Other")  # leads that setting only
    _cole_phone_task(world, created_by=world.admin_office)
    task = AppointmentReminder.objects.get()
    assert task.key_worker_id == world.admin_office.pk  # the office made it: theirs
    AppointmentReminder.objects.update(key_worker=None)
    assert build(world.actor(other_head), TODAY) is None
    assert build(world.actor(world.headteacher), TODAY).total == 1


def test_an_email_sent_reminder_is_nobodys_task(world):
    carer = carer_of(world.family_unallocated, preferred_contact_method=ContactMethod.EMAIL, email="cal@example.org")
    appointment(world, family=world.family_unallocated, carers=[carer], starts_in=T(days=3), created_by=world.teacher_a)
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    assert AppointmentReminder.objects.get().state == ReminderState.SENT
