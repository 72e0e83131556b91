"""The e-mails that did not go out: shown to people who manage staff or set-up, with "try again"; outsiders 404."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from keyworker.core.models import AuditEvent
from keyworker.notifications.models import Delivery
from keyworker.notifications.services import deliveries_run, email_queue, notification_send
from keyworker.notifications.tests.backends import FlakyBackend

pytestmark = pytest.mark.django_db
T = dt.timedelta


@pytest.fixture
def outbox(world, settings):
    """One e-mail refused for good (a bad address), one waiting for its next try, one sent."""
    settings.EMAIL_BACKEND = "keyworker.notifications.tests.backends.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 0, 0
    now = timezone.now()
    user = world.ta_a.user
    type(user).objects.filter(pk=user.pk).update(email="nobody at example")
    notification_send(recipient=user, organisation_id=world.org.pk, kind="test", subject="Contact due: the Smith\nfamily",
                      body="b", link="", dedupe_key="bad", now=now)
    deliveries_run(now=now, worker_id="w1")
    FlakyBackend.failures_left = 1
    notification_send(recipient=world.teacher_a.user, organisation_id=world.org.pk, kind="test", subject="Waiting one",
                      body="b", link="", dedupe_key="wait", now=now)
    deliveries_run(now=now, worker_id="w1")
    notification_send(recipient=world.teacher_b.user, organisation_id=world.org.pk, kind="test", subject="Went out",
                      body="b", link="", dedupe_key="sent", now=now)
    deliveries_run(now=now, worker_id="w1")
    # Another organisation's failure, and a password link (no organisation): neither is listed here.
    notification_send(recipient=world.outsider.user, organisation_id=world.other_org.pk, kind="test",
                      subject="Theirs", body="b", link="", dedupe_key="theirs", now=now)
    email_queue(to="someone@example.org", subject="Choose your Keyworker password", body="secret", now=now)
    Delivery.objects.filter(notification__dedupe_key="theirs").update(status="undeliverable", last_error="550 x")
    return now


@pytest.mark.parametrize("persona", ["headteacher", "admin_office"])
def test_people_who_manage_staff_or_setup_see_what_did_not_go_out_and_why(world, client_for, outbox, persona):
    page = client_for(world.personas[persona]).get("/inbox/deliveries/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not delivered (1)" in html and "Contact due: the Smith family" in html and "nobody at example" in html
    assert "valid e-mail address" in html or "valid email address" in html
    assert "Waiting to be tried again (1)" in html and "Waiting one" in html and "ConnectionRefusedError" in html
    assert "Went out" not in html and "Theirs" not in html and "Choose your Keyworker password" not in html


@pytest.mark.parametrize("persona", ["teacher_a", "key_worker", "safeguarding_lead"])
def test_others_may_not(world, client_for, outbox, persona):
    assert client_for(world.personas[persona]).get("/inbox/deliveries/").status_code == 403


def test_an_outsider_sees_only_their_own_and_cannot_retry_ours(world, client_for, outbox):
    client = client_for(world.outsider)
    html = client.get("/inbox/deliveries/").content.decode()
    assert "Theirs" in html and "Contact due" not in html
    ours = Delivery.objects.get(notification__dedupe_key="bad", status="undeliverable")
    assert client.post(f"/inbox/deliveries/{ours.pk}/try-again/").status_code == 404
    ours.refresh_from_db()
    assert ours.status == "undeliverable"


def test_try_again_after_fixing_the_address_sends_it_once_and_is_audited(world, client_for, outbox):
    failed = Delivery.objects.get(notification__dedupe_key="bad", status="undeliverable")
    type(world.ta_a.user).objects.filter(pk=world.ta_a.user.pk).update(email="ta.fixed@example.org")
    client = client_for(world.admin_office)
    r = client.post(f"/inbox/deliveries/{failed.pk}/try-again/", follow=True)
    assert "sent again" in r.content.decode()
    assert client.post(f"/inbox/deliveries/{failed.pk}/try-again/").status_code == 404  # already started again
    deliveries_run(now=timezone.now(), worker_id="w1")
    got = [m for m in mail.outbox if m.subject == "Contact due: the Smith family"]
    assert len(got) == 1 and got[0].to == ["ta.fixed@example.org"]
    event = AuditEvent.objects.get(event_type="email.retried")
    assert event.organisation_id == world.org.pk and event.actor == world.admin_office.user
    assert "Every e-mail went out, or is still being tried." in client.get("/inbox/deliveries/").content.decode()


def test_try_again_needs_a_post_and_the_right_person(world, client_for, outbox):
    failed = Delivery.objects.get(notification__dedupe_key="bad", status="undeliverable")
    assert client_for(world.admin_office).get(f"/inbox/deliveries/{failed.pk}/try-again/").status_code == 405
    assert client_for(world.teacher_a).post(f"/inbox/deliveries/{failed.pk}/try-again/").status_code == 403


def test_the_django_admin_lists_them_and_tries_again(world, client, outbox, django_user_model):
    admin = django_user_model.objects.create_superuser(email="ops@example.org", password="x-long-password-1", full_name="Ops")
    client.force_login(admin)
    page = client.get("/admin/notifications/delivery/?status__exact=undeliverable")
    assert page.status_code == 200 and "Contact due" in page.content.decode()
    ids = list(Delivery.objects.filter(status="undeliverable").values_list("pk", flat=True))
    client.post("/admin/notifications/delivery/", {"action": "try_again", "_selected_action": ids})
    assert not Delivery.objects.filter(status="undeliverable").exists()
    retried = Delivery.objects.filter(status="pending", notification__dedupe_key__in=["bad", "theirs"])
    assert sorted(retried.values_list("attempts", flat=True)) == [2, 2]
