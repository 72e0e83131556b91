"""Services of appointments: arranging, telling carers (time, place and setting only), rescheduling, cancelling,
answers and attendance, and every refusal on its own field."""

import datetime as dt

import pytest
from django.http import Http404

from keyworker.core.audit import AuditEvent
from keyworker.core.conflicts import EditConflict
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Notification
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import carer_account, make_family

from ..models import AppointmentStatus, Invitee, InviteeKind, InviteeRole, Rsvp
from ..services import (
    AppointmentInvalid,
    Professional,
    appointment_cancel,
    appointment_change,
    attendance_record,
    invitee_add,
    rsvp_by_carer,
    rsvp_record,
)
from .helpers import NEXT_TUESDAY, arrange, carer_of

pytestmark = pytest.mark.django_db


def test_arranging_invites_the_family_and_staff_in_their_parts(world):
    carer = carer_of(world.family_a)
    Carer.objects.filter(pk=carer.pk).update(email="amy.adams@example.org")
    a = arrange(world, invite_staff=[world.ta_a, world.teacher_a, world.headteacher],
                professionals=[Professional("Priya Patel", "priya@council.example.org", "Educational psychology")])
    roles = {i.name: i.role for i in a.invitees.all()}
    assert roles == {carer.full_name: InviteeRole.FAMILY, "Kim Keyworker": InviteeRole.KEY_WORKER,
                     "Tara Teacher": InviteeRole.CLASS_TEACHER, "Helen Head": InviteeRole.MANAGER,
                     "Priya Patel": InviteeRole.PROFESSIONAL}
    assert a.status == AppointmentStatus.SCHEDULED and a.sequence == 0 and a.version == 1
    assert AuditEvent.objects.filter(event_type="appointment.created", object_id=a.pk).exists()


def test_the_carers_email_holds_the_time_place_and_setting_never_the_title_or_notes(world):
    carer = carer_of(world.family_a)
    Carer.objects.filter(pk=carer.pk).update(email="amy.adams@example.org")
    a = arrange(world, title="Concerns about Alfie at home", place="Family room")
    mail = Notification.objects.get(to_email="amy.adams@example.org")
    assert mail.subject == "An appointment at Test Primary"
    assert "Tue 24 November 2026, 15:30 to 16:15" in mail.body and "Family room" in mail.body
    assert "Concerns" not in mail.body + mail.subject and "Alfie" not in mail.body
    # With a portal account the carer is told through it (their inbox, and e-mail).
    user = carer_account(carer)
    appointment_change(actor=world.actor(world.ta_a), appointment=a, version=1, title=a.title, kind=a.kind,
                       starts_at=a.starts_at + dt.timedelta(hours=1), ends_at=a.ends_at + dt.timedelta(hours=1),
                       place="Family room", video_link="")
    told = Notification.objects.get(recipient=user)
    assert told.subject == "Change of time or place: your appointment at Test Primary" and "16:30 to 17:15" in told.body
    assert told.link == "/family/appointments/"


def test_a_carer_without_an_email_address_is_invited_but_not_emailed(world):
    arrange(world)
    assert Invitee.objects.filter(kind=InviteeKind.CARER).count() == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"starts_at": dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)}, "starts_at"),
    ({"minutes": -30}, "ends_at"),
    ({"place": "", "video_link": ""}, "place"),
    ({"place": "", "video_link": "not a link"}, "video_link"),
    ({"title": ""}, "title"),
    ({"kind": "picnic"}, "kind"),
])
def test_each_refusal_names_its_field(world, change, field):
    with pytest.raises(AppointmentInvalid) as exc:
        arrange(world, **change)
    assert field in exc.value.as_dict()


def test_several_problems_are_told_at_once(world):
    with pytest.raises(AppointmentInvalid) as exc:
        arrange(world, starts_at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC), place="", title="")
    assert set(exc.value.as_dict()) == {"starts_at", "place", "title"}


def test_invitees_outside_the_organisation_are_refused(world):
    with pytest.raises(AppointmentInvalid) as exc:
        arrange(world, invite_staff=[world.outsider])
    assert "staff" in exc.value.as_dict()
    other_carer = carer_of(world.other_family)
    with pytest.raises(AppointmentInvalid) as exc:
        arrange(world, carers=[other_carer])
    assert "carers" in exc.value.as_dict()
    # Another family's carer of the same organisation is refused too.
    with pytest.raises(AppointmentInvalid):
        arrange(world, carers=[carer_of(world.family_b)])


def test_a_carer_under_no_contact_is_refused(world):
    family = make_family(world.org, "The Dent family", carers=2)
    barred = family.carers.order_by("contact_order").last()
    Carer.objects.filter(pk=barred.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    barred.refresh_from_db()
    with pytest.raises(AppointmentInvalid) as exc:
        arrange(world, family=family, staff=world.headteacher, carers=[barred])
    assert "no-contact" in exc.value.as_dict()["carers"][0]


def test_a_family_outside_scope_does_not_exist(world):
    with pytest.raises(Http404):
        arrange(world, family=world.other_family, carers=[])
    with pytest.raises(Http404):
        arrange(world, staff=world.ta_a, family=world.family_b, carers=[])  # not in the key worker's class


def test_an_edit_from_an_old_version_saves_nothing(world):
    a = arrange(world)
    actor = world.actor(world.ta_a)
    appointment_change(actor=actor, appointment=a, version=1, title="Review", kind=a.kind, starts_at=a.starts_at,
                       ends_at=a.ends_at, place="Room 5", video_link="")
    with pytest.raises(EditConflict):
        appointment_change(actor=actor, appointment=a, version=1, title="Other", kind=a.kind, starts_at=a.starts_at,
                           ends_at=a.ends_at, place="Hall", video_link="")
    a.refresh_from_db()
    assert (a.title, a.place, a.version, a.sequence) == ("Review", "Room 5", 2, 1)


def test_cancelling_needs_a_reason_and_tells_the_carers(world):
    carer = carer_of(world.family_a)
    user = carer_account(carer)
    a = arrange(world)
    with pytest.raises(RuleViolation) as exc:
        appointment_cancel(actor=world.actor(world.ta_a), appointment=a, reason=" ", version=1)
    assert exc.value.field == "reason"
    appointment_cancel(actor=world.actor(world.ta_a), appointment=a, reason="The psychologist is ill", version=1)
    a.refresh_from_db()
    assert a.status == AppointmentStatus.CANCELLED and a.sequence == 1
    told = Notification.objects.filter(recipient=user).order_by("id").last()
    assert told.subject == "Cancelled: your appointment at Test Primary" and "ill" not in told.body


def test_only_the_organiser_invited_staff_and_leaders_change_it(world):
    from django.core.exceptions import PermissionDenied

    a = arrange(world)
    with pytest.raises(PermissionDenied):
        appointment_cancel(actor=world.actor(world.teacher_a), appointment=a, reason="No", version=1)
    appointment_cancel(actor=world.actor(world.headteacher), appointment=a, reason="Clash with a visit", version=1)
    with pytest.raises(Http404):
        appointment_cancel(actor=world.actor(world.outsider), appointment=a, reason="No", version=2)


def test_carers_answer_their_own_invitation_only(world):
    a = arrange(world)
    mine = a.invitees.get(kind=InviteeKind.CARER)
    access = access_for(carer_account(carer_of(world.family_a)))
    rsvp_by_carer(access=access, invitee=mine, rsvp=Rsvp.YES)
    mine.refresh_from_db()
    assert mine.rsvp == Rsvp.YES and mine.rsvp_recorded_by == access.user
    other = arrange(world, staff=world.teacher_b, family=world.family_b).invitees.get(kind=InviteeKind.CARER)
    with pytest.raises(Http404):
        rsvp_by_carer(access=access, invitee=other, rsvp=Rsvp.NO)
    with pytest.raises(RuleViolation):
        rsvp_by_carer(access=access, invitee=mine, rsvp=Rsvp.AWAITING)


def test_staff_record_an_answer_on_a_carers_behalf(world):
    a = arrange(world)
    invitee = a.invitees.get(kind=InviteeKind.CARER)
    rsvp_record(actor=world.actor(world.ta_a), invitee=invitee, rsvp=Rsvp.MAYBE)
    invitee.refresh_from_db()
    assert invitee.rsvp == Rsvp.MAYBE and invitee.rsvp_recorded_by == world.ta_a.user


def test_attendance_after_the_meeting_makes_it_held(world, clock):
    a = arrange(world)
    carer_row = a.invitees.get(kind=InviteeKind.CARER)
    with pytest.raises(RuleViolation):
        attendance_record(actor=world.actor(world.ta_a), appointment=a, version=1, attended={carer_row.pk: True})
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=1))
    attendance_record(actor=world.actor(world.ta_a), appointment=a, version=1, attended={carer_row.pk: True},
                      notes="Agreed a reduced timetable.")
    a.refresh_from_db()
    assert a.status == AppointmentStatus.HELD and a.notes == "Agreed a reduced timetable."
    # An answer once the meeting has started is refused.
    with pytest.raises(RuleViolation):
        rsvp_record(actor=world.actor(world.ta_a), invitee=carer_row, rsvp=Rsvp.NO)


def test_more_people_invited_later(world):
    a = arrange(world, carers=[])
    added = invitee_add(actor=world.actor(world.ta_a), appointment=a, carers=list(world.family_a.carers.all()),
                        staff=[world.teacher_a])
    assert {i.kind for i in added} == {InviteeKind.CARER, InviteeKind.STAFF}
    with pytest.raises(AppointmentInvalid):
        invitee_add(actor=world.actor(world.ta_a), appointment=a)


def test_a_session_for_many_families_invites_carers_of_families_the_organiser_sees(world):
    from ..models import AppointmentKind

    carers = [carer_of(world.family_a), carer_of(world.family_unallocated)]
    a = arrange(world, staff=world.headteacher, family=False, carers=carers, kind=AppointmentKind.INDUCTION,
                title="Information session")
    assert a.family is None and a.invitees.filter(kind=InviteeKind.CARER).count() == 2
    with pytest.raises(AppointmentInvalid) as exc:
        arrange(world, staff=world.ta_a, family=False, carers=[carer_of(world.family_b)], kind=AppointmentKind.INDUCTION)
    assert "carers" in exc.value.as_dict()
