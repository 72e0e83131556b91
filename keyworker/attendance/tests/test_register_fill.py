"""The register's "Mark all present": every pupil with no mark yet shown as present, nothing saved until staff change
the exceptions and save; the page's script does it in the page, the button alone asks the server."""

import datetime as dt

import pytest
from django.urls import reverse

from keyworker.attendance.models import AttendanceMark

from .factories import put

pytestmark = pytest.mark.django_db
WED = dt.date(2026, 11, 18)


def url(world):
    return reverse("attendance:register", args=[world.class_a.pk])


def test_the_register_offers_mark_all_present_with_its_script(world, client_for):
    body = client_for(world.teacher_a).get(url(world)).content.decode()
    assert ">Mark all present</button>" in body and 'name="fill" value="present"' in body
    assert "/static/attendance/register.js" in body and "<script>" not in body
    assert "Then change the exceptions and save the register." in body


def test_mark_all_present_fills_only_the_unmarked_and_saves_nothing(world, client_for):
    put(world.child_a, WED, "AM", "I")  # already marked: ill
    client = client_for(world.teacher_a)
    response = client.post(url(world), {"date": WED.isoformat(), "session": "AM", "fill": "present"})
    assert response.status_code == 200
    rows = {r["child"].pk: r for r in response.context["rows"]}
    assert rows[world.child_a.pk]["current"] == "I"
    others = [r for pk, r in rows.items() if pk != world.child_a.pk]
    assert others and all(r["current"] == "/" for r in others)
    assert f"{len(others)} pupil{'s' if len(others) != 1 else ''} marked present, not saved yet" in response.content.decode()
    assert AttendanceMark.objects.filter(date=WED, session="AM").count() == 1  # nothing saved

    # Then the exceptions, and save as usual.
    post = {"date": WED.isoformat(), "session": "AM", f"code_{world.child_a.pk}": "I"}
    post.update({f"code_{r['child'].pk}": "/" for r in others})
    post[f"code_{others[0]['child'].pk}"] = "N"
    saved = client.post(url(world), post)
    assert saved.status_code == 302
    marks = dict(AttendanceMark.objects.filter(date=WED, session="AM").values_list("child_id", "code__code"))
    assert marks[others[0]["child"].pk] == "N" and marks[world.child_a.pk] == "I"
    assert sum(1 for code in marks.values() if code == "/") == len(others) - 1


def test_mark_all_present_is_for_who_may_take_the_register(world, client_for):
    post = {"date": WED.isoformat(), "session": "AM", "fill": "present"}
    assert client_for(world.teacher_b).post(url(world), post).status_code == 403
    assert client_for(world.outsider).post(url(world), post).status_code == 404
    assert not AttendanceMark.objects.exists()


def test_no_mark_all_present_once_every_pupil_has_a_mark(world, client_for):
    client = client_for(world.teacher_a)
    children = client.get(url(world), {"date": WED.isoformat(), "session": "AM"}).context["rows"]
    for row in children:
        put(row["child"], WED, "AM", "/")
    body = client.get(url(world), {"date": WED.isoformat(), "session": "AM"}).content.decode()
    assert "Save the register" in body and "Mark all present" not in body
