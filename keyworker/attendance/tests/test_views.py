"""Attendance pages as the right persona, as an outsider (404), without the capability (403), in fixed queries."""

import datetime as dt

import pytest
from django.urls import reverse

from keyworker.attendance.models import AttendanceMark, MarkRevision
from keyworker.organisations.models import Group
from keyworker.people.models import Child
from keyworker.testing import make_child, make_family

from .factories import put, put_many

WED = dt.date(2026, 11, 18)


def register_url(world, group=None, **params):
    url = reverse("attendance:register", args=[(group or world.class_a).pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


# The register ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teacher_a", "key_worker", "headteacher", "deputy", "admin_office"])
def test_register_for_the_class_team_leaders_and_office(world, client_for, persona):
    response = client_for(world.personas[persona]).get(register_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alfie Adams" in body and "Cara Cole" in body and "Bella Brown" not in body
    assert "Absent, reason not known yet" in body and "Save the register" in body
    # 10:30 in London: the morning session by default.
    assert 'value="AM" selected' in body and 'value="/"' in body


def test_register_of_another_class_is_forbidden(world, client_for):
    assert client_for(world.teacher_b).get(register_url(world)).status_code == 403
    assert client_for(world.safeguarding_lead).get(register_url(world)).status_code == 403


def test_register_of_another_organisation_does_not_exist(world, client_for):
    other = Group.objects.get(organisation=world.other_org)
    assert client_for(world.outsider).get(register_url(world)).status_code == 404
    assert client_for(world.teacher_a).get(register_url(world, other)).status_code == 404


def test_afternoon_defaults_after_half_past_twelve(world, client_for, clock):
    clock.shift(dt.timedelta(hours=3))
    body = client_for(world.teacher_a).get(register_url(world)).content.decode()
    assert 'value="PM" selected' in body and 'value="\\"' in body


def test_take_the_register(world, client_for):
    kids = list(Child.objects.filter(group=world.class_a).order_by("id"))
    client = client_for(world.ta_a)
    response = client.post(register_url(world), {
        "date": WED.isoformat(), "session": "AM", f"code_{kids[0].pk}": "/", f"code_{kids[1].pk}": "/", f"other_{kids[1].pk}": "M",
    })
    assert response.status_code == 302
    marks = {m.child_id: m.code.code for m in AttendanceMark.objects.select_related("code")}
    assert marks == {kids[0].pk: "/", kids[1].pk: "M"}  # the select wins over the big button
    body = client.get(response["Location"]).content.decode()
    assert "2 recorded, 0 changed" in body and "2 of 2 marked" in body


def test_changing_a_mark_without_a_reason_shows_the_problem(world, client_for):
    put(world.child_a, WED, "AM", "N")
    client = client_for(world.teacher_a)
    response = client.post(register_url(world), {"date": WED.isoformat(), "session": "AM", f"code_{world.child_a.pk}": "/"})
    assert response.status_code == 400
    assert "say why it changes" in response.content.decode() and "Nothing was saved" in response.content.decode()
    response = client.post(register_url(world), {"date": WED.isoformat(), "session": "AM", f"code_{world.child_a.pk}": "/",
                                                 "reason": "Arrived with mum at 9:05"})
    assert response.status_code == 302
    assert MarkRevision.objects.get().reason == "Arrived with mum at 9:05"


def test_bad_code_and_nothing_chosen(world, client_for):
    client = client_for(world.teacher_a)
    response = client.post(register_url(world), {"date": WED.isoformat(), "session": "AM", f"other_{world.child_a.pk}": "ZZ"})
    assert response.status_code == 400 and "not a register code" in response.content.decode()
    response = client.post(register_url(world), {"date": WED.isoformat(), "session": "AM"})
    assert response.status_code == 400 and "at least one child" in response.content.decode()


def test_not_a_school_day_and_future_and_nonsense(world, client_for):
    client = client_for(world.teacher_a)
    assert "not a school day" in client.get(register_url(world, date="2026-10-27")).content.decode()
    assert "in the future" in client.get(register_url(world, date="2026-11-19")).content.decode()
    assert client.get(register_url(world, date="nonsense", session="XX")).status_code == 200
    response = client.post(register_url(world), {"date": "2026-11-14", "session": "AM", f"code_{world.child_a.pk}": "/"})
    assert response.status_code == 200 and not AttendanceMark.objects.exists()


def test_register_queries_are_fixed(world, client_for, django_assert_max_num_queries):
    client = client_for(world.teacher_a)
    client.get(register_url(world))
    for _ in range(25):
        kid = make_child(make_family(world.org), world.school, world.class_a)
        put(kid, WED, "AM", "/")
    with django_assert_max_num_queries(16):
        response = client.get(register_url(world))
    assert response.content.decode().count("register__row") >= 27


# Class overview -------------------------------------------------------------------------------------------------


def test_class_overview_highlights_persistent_absence(world, client_for):
    put_many(world.child_a, [(dt.date(2026, 11, 16), "AM", "/"), (dt.date(2026, 11, 16), "PM", "N")])
    response = client_for(world.teacher_a).get(reverse("attendance:class", args=[world.class_a.pk]) + "?period=week")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Severe absence" in body and "50.0%" in body and "No marks" in body


def test_class_overview_ranges(world, client_for):
    url = reverse("attendance:class", args=[world.class_a.pk])
    client = client_for(world.headteacher)
    assert client.get(url + "?from=2026-09-02&to=2026-11-18").status_code == 200
    assert client.get(url + "?from=2026-11-18&to=2026-09-02").status_code == 400
    assert client.get(url + "?from=2026-09-02").status_code == 400
    assert client.get(url + "?from=2020-01-01&to=2026-11-18").status_code == 400
    assert client.get(url + "?period=whatever").status_code == 200


def test_class_overview_access(world, client_for):
    url = reverse("attendance:class", args=[world.class_a.pk])
    assert client_for(world.teacher_b).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404


def test_class_overview_queries_are_fixed(world, client_for, django_assert_max_num_queries):
    url = reverse("attendance:class", args=[world.class_a.pk])
    client = client_for(world.teacher_a)
    client.get(url)
    for _ in range(25):
        kid = make_child(make_family(world.org), world.school, world.class_a)
        put_many(kid, [(dt.date(2026, 11, 16), "AM", "/"), (dt.date(2026, 11, 16), "PM", "I")])
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


# A child's page -------------------------------------------------------------------------------------------------


def test_child_page_year_at_a_glance(world, client_for):
    put_many(world.child_a, [(dt.date(2026, 11, 16), "AM", "/"), (dt.date(2026, 11, 16), "PM", "N"),
                             (dt.date(2026, 9, 3), "AM", "D")])
    response = client_for(world.ta_a).get(reverse("attendance:child", args=[world.child_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "September 2026" in body and "July 2027" not in body  # the test calendar has the autumn term only
    assert "code--unauthorised" in body and "Reason not yet known" in body and "code--not_possible" in body
    assert "Afternoon: Reason not yet known" in body
    assert "Severe absence" in body  # 1 of 2 possible this week


def test_child_page_scope(world, client_for):
    url = reverse("attendance:child", args=[world.child_a.pk])
    assert client_for(world.teacher_b).get(url).status_code == 404   # not in their scope: it does not exist for them
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.headteacher).get(url).status_code == 200


def test_child_page_queries_are_fixed(world, client_for, django_assert_max_num_queries):
    url = reverse("attendance:child", args=[world.child_a.pk])
    client = client_for(world.ta_a)
    client.get(url)
    put_many(world.child_a, [(dt.date(2026, 9, 2) + dt.timedelta(days=i), s, "/") for i in range(70) for s in ("AM", "PM")])
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


# The office -----------------------------------------------------------------------------------------------------


def test_unexplained_list_for_the_office(world, client_for):
    put(world.child_a, dt.date(2026, 11, 9), "AM", "N")   # 5 school days later is 16/11: overdue
    put(world.child_b, WED, "PM", "N")
    put(world.child_b, WED, "AM", "O")                    # not N: not listed
    response = client_for(world.admin_office).get(reverse("attendance:unexplained"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alfie Adams" in body and "Bella Brown" in body and "1 overdue" in body and "16/11/2026" in body


def test_unexplained_list_access(world, client_for):
    url = reverse("attendance:unexplained")
    assert client_for(world.ta_a).get(url).status_code == 403
    assert client_for(world.headteacher).get(url).status_code == 200
    put(world.child_a, WED, "AM", "N")
    assert "Alfie" not in client_for(world.outsider).get(url).content.decode()


def test_index(world, client_for):
    body = client_for(world.teacher_a).get(reverse("attendance:index")).content.decode()
    assert "Register for Ash" in body and "Beech" not in body and "to replace" not in body
    body = client_for(world.admin_office).get(reverse("attendance:index")).content.decode()
    assert "Register for Beech" in body and "to replace" in body and "Import marks" in body


# Thresholds -----------------------------------------------------------------------------------------------------


def test_thresholds_page(world, client_for):
    from decimal import Decimal

    from keyworker.attendance.selectors import thresholds

    client = client_for(world.headteacher)
    assert client.get(reverse("attendance:settings")).status_code == 200
    response = client.post(reverse("attendance:settings"), {"persistent_at_or_below": "92.5", "severe_at_or_below": "60",
                                                            "replace_n_within_school_days": "3"})
    assert response.status_code == 302
    s = thresholds(world.org.pk)
    assert (s.persistent_at_or_below, s.severe_at_or_below, s.replace_n_within_school_days) == (Decimal("92.5"), Decimal("60"), 3)
    assert thresholds(world.other_org.pk).persistent_at_or_below == Decimal("90")


@pytest.mark.parametrize(("data", "words"), [
    ({"persistent_at_or_below": "50", "severe_at_or_below": "60", "replace_n_within_school_days": "5"}, "below the persistent"),
    ({"persistent_at_or_below": "lots", "severe_at_or_below": "NaN", "replace_n_within_school_days": "5"}, "Enter a percentage"),
    ({"persistent_at_or_below": "90", "severe_at_or_below": "50", "replace_n_within_school_days": "-1"}, "number of school days"),
    ({"persistent_at_or_below": "90", "severe_at_or_below": "50", "replace_n_within_school_days": "99"}, "between 1 and 20"),
    ({"persistent_at_or_below": "150", "severe_at_or_below": "50", "replace_n_within_school_days": "5"}, "between 0 and 100"),
    ({"persistent_at_or_below": "1e999", "severe_at_or_below": "50", "replace_n_within_school_days": "5"}, "Enter a percentage"),
])
def test_thresholds_page_refusals(world, client_for, data, words):
    response = client_for(world.headteacher).post(reverse("attendance:settings"), data)
    assert response.status_code == 400 and words in response.content.decode()


def test_thresholds_page_access(world, client_for):
    assert client_for(world.teacher_a).get(reverse("attendance:settings")).status_code == 403
    assert client_for(world.ta_a).post(reverse("attendance:settings"), {}).status_code == 403


# Persistent and severe absence ------------------------------------------------------------------------------------


def test_concerns_page_lists_persistent_and_severe(world, client_for):
    put_many(world.child_a, [(dt.date(2026, 11, 16), "AM", "/"), (dt.date(2026, 11, 16), "PM", "N")])   # 50%: severe
    put_many(world.child_b, [(dt.date(2026, 11, d), s, "/") for d in (16, 17) for s in ("AM", "PM")]
             + [(dt.date(2026, 11, 18), "AM", "I")])                                                     # 80%: persistent
    response = client_for(world.deputy).get(reverse("attendance:concerns"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Alfie Adams") < body.index("Bella Brown")
    assert "Severe absence" in body and "Persistent absence" in body and "2 at or below" in body


def test_concerns_page_access_and_queries(world, client_for, django_assert_max_num_queries):
    url = reverse("attendance:concerns")
    assert client_for(world.ta_a).get(url).status_code == 403
    assert "Alfie" not in client_for(world.outsider).get(url).content.decode()
    client = client_for(world.admin_office)
    assert client.get(url + "?period=week&setting=nonsense").status_code == 200
    assert client.get(url + "?from=2026-11-18").status_code == 400
    for _ in range(20):
        kid = make_child(make_family(world.org), world.school, world.class_b)
        put_many(kid, [(dt.date(2026, 11, 16), "AM", "/"), (dt.date(2026, 11, 16), "PM", "O")])
    client.get(url)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.content.decode().count("Severe absence") == 20
