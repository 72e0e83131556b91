"""The appointments API: arrange, read, change, cancel, invite, attendance, answers; per-field errors; 404 outside."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from ..models import Appointment, AppointmentStatus, InviteeKind, Rsvp
from .helpers import NEXT_TUESDAY, arrange, carer_of

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def _body(world, **extra):
    body = {"setting": world.school.pk, "kind": "review_meeting", "title": "Review", "family": world.family_a.pk,
            "starts_at": "2026-11-24T15:30:00Z", "ends_at": "2026-11-24T16:15:00Z", "place": "Room 4",
            "carers": [carer_of(world.family_a).pk], "staff": [world.ta_a.pk],
            "professionals": [{"name": "Priya Patel", "email": "priya@example.org", "organisation_name": "EP service"}]}
    body.update(extra)
    return body


def test_arrange_and_read_an_appointment(world):
    response = api(world.ta_a).post("/api/v1/appointments/", _body(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["family"] == world.family_a.pk and data["time_zone"] == "Europe/London" and data["version"] == 1
    assert {i["kind"] for i in data["invitees"]} == {"carer", "staff", "professional"}
    assert api(world.ta_a).get(f"/api/v1/appointments/{data['id']}/").status_code == 200
    listed = api(world.ta_a).get("/api/v1/appointments/?kind=review_meeting").json()
    assert [a["id"] for a in listed["results"]] == [data["id"]]


def test_errors_are_per_field(world):
    body = _body(world, starts_at="2026-11-01T09:00:00Z", ends_at="2026-11-01T08:00:00Z", place="", video_link="")
    response = api(world.ta_a).post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 400
    assert {"starts_at", "ends_at", "place"} <= set(response.json()["errors"]), response.json()
    response = api(world.ta_a).post("/api/v1/appointments/", _body(world, kind="party", starts_at="soon"), format="json")
    assert response.status_code == 400 and {"kind", "starts_at"} <= set(response.json()["errors"])
    assert not Appointment.objects.exists()


def test_invitees_of_another_organisation_are_refused(world):
    response = api(world.ta_a).post("/api/v1/appointments/", _body(world, staff=[world.outsider.pk]), format="json")
    assert response.status_code == 400 and "staff" in response.json()["errors"]
    response = api(world.ta_a).post("/api/v1/appointments/", _body(world, carers=[carer_of(world.other_family).pk]),
                                    format="json")
    assert response.status_code == 400 and "carers" in response.json()["errors"]
    response = api(world.ta_a).post("/api/v1/appointments/", _body(world, family=world.other_family.pk), format="json")
    assert response.status_code == 400 and "family" in response.json()["errors"]


def test_change_checks_the_version_and_cancel(world):
    a = arrange(world)
    client = api(world.ta_a)
    moved = client.patch(f"/api/v1/appointments/{a.pk}/", {"version": 1, "starts_at": "2026-11-25T09:00:00Z",
                                                           "ends_at": "2026-11-25T09:30:00Z"}, format="json")
    assert moved.status_code == 200 and moved.json()["sequence"] == 1
    stale = client.patch(f"/api/v1/appointments/{a.pk}/", {"version": 1, "place": "Hall"}, format="json")
    assert stale.status_code == 409
    assert client.patch(f"/api/v1/appointments/{a.pk}/", {"place": "Hall"}, format="json").status_code == 400
    assert client.post(f"/api/v1/appointments/{a.pk}/cancel/", {"version": 2}, format="json").status_code == 400
    done = client.post(f"/api/v1/appointments/{a.pk}/cancel/", {"version": 2, "reason": "Snow"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == AppointmentStatus.CANCELLED


def test_invite_answer_and_attendance(world, clock):
    a = arrange(world, carers=[])
    client = api(world.ta_a)
    invited = client.post(f"/api/v1/appointments/{a.pk}/invite/", {"carers": [carer_of(world.family_a).pk]}, format="json")
    assert invited.status_code == 200
    carer_row = a.invitees.get(kind=InviteeKind.CARER)
    answer = client.post(f"/api/v1/appointment-invitees/{carer_row.pk}/rsvp/", {"rsvp": "yes"}, format="json")
    assert answer.status_code == 200 and answer.json()["rsvp"] == Rsvp.YES
    bad = client.post(f"/api/v1/appointment-invitees/{carer_row.pk}/rsvp/", {"rsvp": "awaiting"}, format="json")
    assert bad.status_code == 400 and "rsvp" in bad.json()["errors"]
    listed = client.get(f"/api/v1/appointment-invitees/?appointment={a.pk}").json()
    assert len(listed["results"]) == 2
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=1))
    held = client.post(f"/api/v1/appointments/{a.pk}/attendance/",
                       {"version": 1, "notes": "Agreed", "attended": [{"invitee": carer_row.pk, "attended": True}]}, format="json")
    assert held.status_code == 200 and held.json()["status"] == AppointmentStatus.HELD


def test_outside_scope_is_404(world):
    a = arrange(world)
    outsider = api(world.outsider)
    assert outsider.get(f"/api/v1/appointments/{a.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/appointments/{a.pk}/cancel/", {"version": 1, "reason": "x"}, format="json").status_code == 404
    invitee = a.invitees.first()
    assert outsider.post(f"/api/v1/appointment-invitees/{invitee.pk}/rsvp/", {"rsvp": "yes"}, format="json").status_code == 404
    assert outsider.get("/api/v1/appointments/").json()["results"] == []
    assert api(world.teacher_b).get(f"/api/v1/appointments/{a.pk}/").status_code == 404


def test_the_schema_builds_with_the_routes(world):
    response = api(world.headteacher).get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/appointments/{id}/cancel/" in text and "/api/v1/appointment-invitees/{id}/rsvp/" in text
