"""Every persona of the world against every route that could show a concern: nobody outside the safeguarding team
sees a word of it (404 or the placeholder), and each attempt that reaches a safeguarding route is logged."""

import pytest
from django.core import mail
from django.urls import reverse

from keyworker.core import clock
from keyworker.notifications.models import Notification
from keyworker.notifications.services import deliveries_run
from keyworker.safeguarding import services
from keyworker.safeguarding.models import ConcernAccess
from keyworker.testing import api_client_with_token

from .helpers import confirmed, raise_concern

PERSONAS = ("headteacher", "deputy", "teacher_a", "ta_a", "teacher_b", "admin_office", "safeguarding_lead", "outsider")
TEAM = {"headteacher", "deputy", "safeguarding_lead"}
SECRETS = ("Zebedee", "wooden spoon", "Quill", "Grimsby", "MASH-98765", "strategy discussion")


@pytest.fixture
def recorded(world):
    concern = raise_concern(world, text="Alfie said his uncle Zebedee hit him with a wooden spoon in Grimsby.")
    lead = world.actor(world.safeguarding_lead)
    services.concern_addendum(actor=lead, concern=concern, text="Correction: it happened at the weekend, in a strategy discussion.")
    services.entry_add(actor=lead, child=world.child_a, kind="referral", concern=concern, text="Referral made to the front door.",
                       agency="childrens_services", made_on=clock.today(), reference="MASH-98765")
    return concern


def _pages(world, concern):
    child = world.child_a.pk
    return {
        "concern": f"/safeguarding/concerns/{concern.pk}/",
        "sent": f"/safeguarding/concerns/{concern.pk}/sent/",
        "chronology": f"/safeguarding/children/{child}/",
        "search": "/safeguarding/search/?q=uncle",
        "export_pdf": f"/safeguarding/children/{child}/file.pdf",
        "export_json": f"/safeguarding/children/{child}/file.json",
        "dashboard": "/safeguarding/",
        "access_log": "/safeguarding/access-log/",
        "family": f"/families/{world.family_a.pk}/",
        "timeline": f"/families/{world.family_a.pk}/timeline/",
        "child": reverse("people:child", args=[child]),
        "inbox": "/inbox/",
        "admin": "/admin/",
    }


LOGGED = {"concern", "sent", "chronology", "search", "export_pdf", "export_json", "access_log"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages(world, client_for, recorded, persona):
    client = confirmed(client_for(getattr(world, persona)))
    for name, url in _pages(world, recorded).items():
        before = ConcernAccess.objects.filter(allowed=False).count()
        response = client.get(url)
        body = response.content.decode(errors="replace") if response.status_code != 302 else ""
        if persona in TEAM and name in {"concern", "chronology", "search", "export_json"}:
            assert response.status_code == 200 and "Zebedee" in body, (persona, name)
            continue
        if persona in TEAM and name in {"dashboard", "access_log", "export_pdf"}:
            assert response.status_code == 200, (persona, name)
            continue
        assert response.status_code in (200, 302, 403, 404), (persona, name, response.status_code)
        for secret in SECRETS:
            assert secret not in body, (persona, name, secret)
        if persona not in TEAM and name in {"concern", "sent"} and response.status_code == 200:
            assert "A restricted record exists" in body
        reporter = persona == "ta_a" and name == "sent"  # the reporter's own confirmation is not an attempt
        if persona not in TEAM and persona != "outsider" and name in LOGGED and not reporter:
            assert ConcernAccess.objects.filter(allowed=False).count() == before + 1, (persona, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api(world, recorded, persona):
    client = api_client_with_token(getattr(world, persona))
    for url in ("/api/v1/safeguarding/concerns/", f"/api/v1/safeguarding/concerns/{recorded.pk}/",
                f"/api/v1/contacts/?family={world.family_a.pk}", f"/api/v1/families/{world.family_a.pk}/",
                f"/api/v1/children/{world.child_a.pk}/"):
        response = client.get(url)
        body = response.content.decode()
        if persona in TEAM and url.endswith(f"/concerns/{recorded.pk}/"):
            assert response.status_code == 200 and "Zebedee" in body
            continue
        for secret in SECRETS:
            assert secret not in body, (persona, url, secret)
    if persona not in TEAM:
        response = client.get(f"/api/v1/safeguarding/concerns/{recorded.pk}/")
        assert response.status_code == 404


def test_notifications_and_emails_never_carry_the_content(world, recorded):
    services.entry_add(actor=world.actor(world.safeguarding_lead), child=world.child_a, kind="action",
                       text="Ask Zebedee's sister about the wooden spoon.", assigned_to=world.ta_a, due_on=clock.today())
    deliveries_run(now=clock.now(), worker_id="test")
    assert Notification.objects.count() >= 4 and len(mail.outbox) >= 4
    for n in Notification.objects.all():
        for secret in (*SECRETS, "Alfie", "Adams"):
            assert secret not in n.subject and secret not in n.body, (n.kind, secret)
    for message in mail.outbox:
        for secret in (*SECRETS, "Alfie", "Adams"):
            assert secret not in message.subject and secret not in message.body, secret


def test_admin_site_has_no_safeguarding_models(world, client):
    from keyworker.accounts.models import User

    admin = User.objects.create_superuser("operator@example.org", "x-password-long-enough", full_name="Operator")
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "Safeguarding" not in page and "Concern" not in page
    assert client.get("/admin/safeguarding/concern/").status_code == 404
