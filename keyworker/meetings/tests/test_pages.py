"""Meetings pages as the key worker, a leader, another class's teacher and an outsider (404)."""

import datetime as dt

import pytest

from keyworker.notifications.models import Notification
from keyworker.people.models import Carer, ContactRestriction

from ..models import Appointment, AppointmentStatus, InviteeKind, Rsvp
from .helpers import NEXT_TUESDAY, arrange, carer_of

pytestmark = pytest.mark.django_db


def _post_new(client, world, **changes):
    data = {"kind": "review_meeting", "title": "Termly review", "setting": world.school.pk, "family": world.family_a.pk,
            "date": "2026-11-24", "start_time": "15:30", "end_time": "16:15", "place": "Room 4", "video_link": "",
            "carers": [c.pk for c in world.family_a.carers.all()], "staff": [world.ta_a.pk]}
    data.update(changes)
    return client.post("/meetings/new/", {k: v for k, v in data.items() if v is not None})


def test_a_key_worker_arranges_an_appointment_from_the_family_page(world, client_for):
    client = client_for(world.ta_a)
    family_page = client.get(f"/families/{world.family_a.pk}/")
    assert "Upcoming appointments" in family_page.content.decode()
    assert f"/meetings/new/?family={world.family_a.pk}" in family_page.content.decode()
    form = client.get(f"/meetings/new/?family={world.family_a.pk}")
    assert form.status_code == 200 and carer_of(world.family_a).full_name in form.content.decode()
    response = _post_new(client, world)
    assert response.status_code == 302
    a = Appointment.objects.get()
    # 15:30 in London in November is 15:30 UTC.
    assert a.starts_at == dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC) and a.family == world.family_a
    assert {i.kind for i in a.invitees.all()} == {InviteeKind.CARER, InviteeKind.STAFF}
    page = client.get(response["Location"]).content.decode()
    assert "Termly review" in page and "Tue 24 November 2026, 15:30–16:15" in page and "Room 4" in page
    assert "Termly review" in client.get(f"/families/{world.family_a.pk}/").content.decode()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"date": "2026-11-17"}, "start_time", "This time has passed"),
    ({"end_time": "15:00"}, "end_time", "The end must be after the start"),
    ({"place": "", "video_link": ""}, "place", "Enter where it is"),
    ({"video_link": "zoom"}, "video_link", "https://"),
    ({"staff": [999999]}, "staff", "Choose staff from the list"),
])
def test_each_problem_is_shown_on_its_field(world, client_for, changes, field, message):
    response = _post_new(client_for(world.ta_a), world, **changes)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Appointment.objects.exists()


def test_another_organisations_staff_or_carer_cannot_be_chosen(world, client_for):
    client = client_for(world.ta_a)
    response = _post_new(client, world, staff=[world.outsider.pk])
    assert response.status_code == 400 and "staff" in response.context["form"].errors
    response = _post_new(client, world, carers=[carer_of(world.other_family).pk])
    assert response.status_code == 400 and "carers" in response.context["form"].errors


def test_a_carer_under_no_contact_is_not_offered(world, client_for):
    barred = carer_of(world.family_a)
    Carer.objects.filter(pk=barred.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    client = client_for(world.headteacher)
    page = client.get(f"/meetings/new/?family={world.family_a.pk}").content.decode()
    assert "no-contact restriction" in page
    response = _post_new(client, world, carers=[barred.pk])
    assert response.status_code == 400 and "carers" in response.context["form"].errors


def test_the_list_shows_mine_and_a_leader_sees_the_settings(world, client_for):
    mine = arrange(world)
    theirs = arrange(world, staff=world.teacher_b, family=world.family_b, title="Bella's review")
    kw = client_for(world.ta_a).get("/meetings/")
    assert [a.pk for a in kw.context["appointments"]] == [mine.pk]
    head = client_for(world.headteacher).get("/meetings/")
    assert {a.pk for a in head.context["appointments"]} == {mine.pk, theirs.pk}
    filtered = client_for(world.headteacher).get("/meetings/?whose=setting&kind=induction&when=upcoming")
    assert filtered.context["appointments"] == []
    assert client_for(world.headteacher).get("/meetings/?kind=party").status_code == 400


def test_pages_of_an_appointment_are_404_outside_scope(world, client_for, client):
    a = arrange(world)
    assert client_for(world.outsider).get(f"/meetings/{a.pk}/").status_code == 404
    client.logout()
    assert client_for(world.teacher_b).get(f"/meetings/{a.pk}/").status_code == 404
    client.logout()
    outsider = client_for(world.outsider)
    assert outsider.post(f"/meetings/{a.pk}/cancel/", {"reason": "x", "version": 1}).status_code == 404
    assert outsider.get(f"/meetings/new/?family={world.family_a.pk}").status_code == 404


def test_reschedule_cancel_and_answer_on_behalf(world, client_for):
    a = arrange(world)
    carer = carer_of(world.family_a)
    Carer.objects.filter(pk=carer.pk).update(email="amy@example.org")
    client = client_for(world.ta_a)
    response = client.post(f"/meetings/{a.pk}/change/", {
        "kind": a.kind, "title": a.title, "date": "2026-11-25", "start_time": "09:00", "end_time": "09:30",
        "place": "Room 4", "video_link": "", "version": 1})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.starts_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC) and a.sequence == 1
    assert Notification.objects.filter(to_email="amy@example.org", subject__startswith="Change").exists()
    stale = client.post(f"/meetings/{a.pk}/change/", {
        "kind": a.kind, "title": "Old", "date": "2026-11-26", "start_time": "09:00", "end_time": "09:30",
        "place": "Room 4", "version": 1})
    assert stale.status_code == 409
    invitee = a.invitees.get(kind=InviteeKind.CARER)
    assert client.post(f"/meetings/{a.pk}/invitees/{invitee.pk}/answer/", {"rsvp": "yes"}).status_code == 302
    invitee.refresh_from_db()
    assert invitee.rsvp == Rsvp.YES
    assert client.post(f"/meetings/{a.pk}/invitees/{invitee.pk}/answer/", {"rsvp": "perhaps"}).status_code == 400
    missing = client.post(f"/meetings/{a.pk}/cancel/", {"reason": "", "version": 2})
    assert missing.status_code == 400 and "reason" in missing.context["cancel_form"].errors
    assert client.post(f"/meetings/{a.pk}/cancel/", {"reason": "Snow day", "version": 2}).status_code == 302
    a.refresh_from_db()
    assert a.status == AppointmentStatus.CANCELLED
    assert "Snow day" in client.get(f"/meetings/{a.pk}/").content.decode()


def test_attendance_and_notes_after_the_meeting(world, client_for, clock):
    a = arrange(world)
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=2))
    client = client_for(world.ta_a)
    page = client.get(f"/meetings/{a.pk}/")
    assert "who came" in page.content.decode()
    data = {f"attended_{i.pk}": "yes" for i in a.invitees.all()}
    response = client.post(f"/meetings/{a.pk}/attendance/", {**data, "notes": "Agreed a plan.", "version": 1})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AppointmentStatus.HELD and a.notes == "Agreed a plan."
    bad = client.post(f"/meetings/{a.pk}/attendance/", {**data, "notes": "x" * 6000, "version": 2})
    assert bad.status_code == 400


def test_my_week_shows_my_meetings_and_those_to_record(world, client_for, clock):
    a = arrange(world)
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    assert "Meetings" in html and f"/meetings/{a.pk}/" in html and "All my meetings" in html
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=2))
    html = client_for(world.ta_a).get("/my-week/").content.decode()
    assert f"/meetings/{a.pk}/#record-h" in html
    # Nothing coming and nothing to record: no panel.
    assert "All my meetings" not in client_for(world.teacher_b).get("/my-week/").content.decode()


@pytest.mark.parametrize("n", [2, 12])
def test_the_list_takes_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, n):
    for k in range(n):
        arrange(world, starts_at=NEXT_TUESDAY + dt.timedelta(hours=k), invite_staff=[world.ta_a, world.teacher_a])
    client = client_for(world.headteacher)
    with django_assert_max_num_queries(22):
        response = client.get("/meetings/")
    assert len(response.context["appointments"]) == n


@pytest.mark.parametrize("persona", ["ta_a", "headteacher"])
def test_the_meetings_page_leads_to_parents_evenings_reviews_and_the_calendar(world, client_for, persona):
    client = client_for(getattr(world, persona))
    page = client.get("/meetings/").content.decode()
    for url in ("/meetings/evenings/", "/meetings/reviews/", "/meetings/calendar/"):
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200, url
