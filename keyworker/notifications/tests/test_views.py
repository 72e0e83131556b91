"""The inbox page: one's own notifications only, newest first, unread in words, mark all as read."""

import datetime as dt

import pytest

from keyworker.notifications.models import Notification
from keyworker.notifications.services import notification_send

pytestmark = pytest.mark.django_db


def note(world, staff, key, minutes=0, org=None):
    return notification_send(
        recipient=staff.user, organisation_id=(org or world.org).pk, kind="test", subject=f"Subject {key}",
        body=f"Body {key}", link=f"/families/{world.family_a.pk}/", dedupe_key=key,
        now=dt.datetime(2026, 11, 18, 9, minutes, tzinfo=dt.UTC),
    )[0]


@pytest.mark.parametrize("persona", ["headteacher", "deputy", "teacher_a", "key_worker", "teacher_b", "admin_office",
                                     "safeguarding_lead", "outsider"])
def test_every_staff_member_has_an_inbox_as_the_last_navigation_item(world, client_for, persona):
    staff = world.personas[persona]
    mine = note(world, staff, "mine", org=staff.organisation)
    note(world, world.teacher_b if persona != "teacher_b" else world.ta_a, "someone else's")
    response = client_for(staff).get("/inbox/")
    assert response.status_code == 200
    assert response.context["nav_items"][-1][:2] == ("Inbox (1)", "/inbox/")
    page = response.content.decode()
    assert "Subject mine" in page and "someone else" not in page
    assert f'href="/inbox/{mine.pk}/"' in page


def test_newest_first_unread_in_words_and_bold_and_mark_all_as_read(world, client_for):
    old = note(world, world.ta_a, "old", 1)
    note(world, world.ta_a, "new", 2)
    Notification.objects.filter(pk=old.pk).update(read_at=dt.datetime(2026, 11, 18, 9, 5, tzinfo=dt.UTC))
    client = client_for(world.ta_a)
    page = client.get("/inbox/").content.decode()
    assert page.index("Subject new") < page.index("Subject old")
    assert page.count("Unread</span>") == 1 and "<strong><a" in page and "1 unread notification." in page
    response = client.post("/inbox/read-all/", follow=True)
    assert "Marked 1 notification as read." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert response.context["nav_items"][-1][0] == "Inbox"
    assert client.get("/inbox/read-all/").status_code == 405


def test_opening_a_notification_marks_it_read_and_links_to_its_page(world, client_for):
    n = note(world, world.ta_a, "x")
    response = client_for(world.ta_a).get(f"/inbox/{n.pk}/")
    assert response.status_code == 200
    assert f'href="/families/{world.family_a.pk}/"' in response.content.decode()
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize("persona", ["headteacher", "teacher_a", "safeguarding_lead", "outsider"])
def test_another_persons_notification_is_not_found(world, client_for, persona):
    n = note(world, world.ta_a, "private")
    client = client_for(world.personas[persona])
    assert client.get(f"/inbox/{n.pk}/").status_code == 404
    client.post("/inbox/read-all/")
    n.refresh_from_db()
    assert n.read_at is None


def test_paginated(world, client_for):
    for i in range(30):
        note(world, world.ta_a, f"n{i}", i)
    client = client_for(world.ta_a)
    assert "Page 1 of 2" in client.get("/inbox/").content.decode()
    assert client.get("/inbox/?page=2").context["page_obj"].object_list.__len__() == 5


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/inbox/").status_code == 302
