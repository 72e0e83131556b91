"""The one rule for restricted records (accounts.restricted): every page, export and API route that returns a concern's
or a flagged contact's text asks for a confirmation within 15 minutes (password, and second factor for people with one)."""

import datetime as dt

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache

from keyworker.accounts.models import ConfirmationFailure
from keyworker.contacts.models import ContactAccess
from keyworker.contacts.services import contact_record
from keyworker.safeguarding import services
from keyworker.safeguarding.models import ConcernAccess
from keyworker.testing import PASSWORD, confirmed_session, give_second_factor, totp_code

from .helpers import raise_concern

SECRETS = ("Zebedee", "bruises", "wooden spoon")

# (name, method, url, data, kind): "page" redirects to the confirmation, "api" answers 403 confirmation_required,
# "listed" answers 200 but without the text (lists say that a record exists, not what it says).
ROUTES = [
    ("concern page", "get", "/safeguarding/concerns/{concern}/", None, "page"),
    ("chronology", "get", "/safeguarding/children/{child}/", None, "page"),
    ("child-protection file PDF", "get", "/safeguarding/children/{child}/file.pdf", None, "page"),
    ("child-protection file JSON", "get", "/safeguarding/children/{child}/file.json", None, "page"),
    ("search", "get", "/safeguarding/search/?q=Zebedee", None, "page"),
    ("access log", "get", "/safeguarding/access-log/", None, "page"),
    ("addendum refused", "post", "/safeguarding/concerns/{concern}/addendum/", {"text": ""}, "page"),
    ("close refused", "post", "/safeguarding/concerns/{concern}/close/", {"text": ""}, "page"),
    ("entry refused", "post", "/safeguarding/children/{child}/entries/", {"kind": "decision", "text": ""}, "page"),
    ("status refused", "post", "/safeguarding/children/{child}/status/", {"status": "nonsense"}, "page"),
    ("transfer refused", "post", "/safeguarding/children/{child}/transfer/", {"sent_to": ""}, "page"),
    ("flagged contact page", "get", "/contacts/{contact}/", None, "page"),
    ("flagged contact void refused", "post", "/contacts/{contact}/void/", {"reason": ""}, "page"),
    ("raise from a flagged contact", "get", "/safeguarding/raise/?contact={contact}", None, "page"),
    ("concern API", "get", "/api/v1/safeguarding/concerns/{concern}/", None, "api"),
    ("contact API", "get", "/api/v1/contacts/{contact}/", None, "api"),
    ("safeguarding dashboard", "get", "/safeguarding/", None, "listed"),
    ("concern list API", "get", "/api/v1/safeguarding/concerns/", None, "listed"),
    ("contact list", "get", "/contacts/", None, "listed"),
    ("contact list API", "get", "/api/v1/contacts/", None, "listed"),
    ("family page", "get", "/families/{family}/", None, "listed"),
    ("family timeline", "get", "/families/{family}/timeline/", None, "listed"),
]


@pytest.fixture
def records(world):
    concern = raise_concern(world)
    services.entry_add(actor=world.actor(world.safeguarding_lead), child=world.child_a, kind="action", concern=concern,
                       text="Ask Zebedee's sister to collect Alfie this week.", assigned_to=world.safeguarding_lead,
                       due_on=dt.date(2026, 11, 18))
    contact = contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=dt.date(2026, 11, 17),
                             channel="phone", tone="concern", safeguarding_category="physical_abuse",
                             write_up="Mum said Alfie has bruises on his arm from the weekend.")
    return {"concern": concern.pk, "child": world.child_a.pk, "contact": contact.pk, "family": world.family_a.pk}


def _call(client, method, url, data):
    return getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("name", "method", "url", "data", "kind"), ROUTES, ids=[r[0] for r in ROUTES])
def test_a_session_that_never_confirmed_gets_no_restricted_text(world, client_for, records, name, method, url, data, kind):
    client = client_for(world.headteacher)  # on the safeguarding team, with every capability
    url = url.format(**records)
    before = ConcernAccess.objects.filter(allowed=False).count() + ContactAccess.objects.filter(allowed=False).count()
    response = _call(client, method, url, data)
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body, (name, secret)
    if kind == "page":
        assert response.status_code == 302 and response.url.startswith("/accounts/confirm/?next="), name
    elif kind == "api":
        assert response.status_code == 403 and response.json()["code"] == "confirmation_required", name
    else:
        assert response.status_code == 200, name
    if kind in ("page", "api") and name not in ("raise from a flagged contact",):
        after = ConcernAccess.objects.filter(allowed=False).count() + ContactAccess.objects.filter(allowed=False).count()
        assert after == before + 1, f"{name}: the refused read is logged"

    # Confirmed, the same route gives the text (so the check above is not passing for another reason).
    confirmed_session(client)
    again = _call(client, method, url, data)
    if kind == "page" and name not in ("access log",):
        assert again.status_code in (200, 400), name
        text = again.content.decode(errors="replace") if not url.endswith(".pdf") else ""
        assert url.endswith(".pdf") or any(s in text for s in SECRETS), name
    elif kind == "api":
        assert again.status_code == 200 and any(s in again.content.decode() for s in SECRETS), name


def test_a_confirmation_goes_back_to_the_page(world, client_for, records):
    client = client_for(world.safeguarding_lead)
    response = client.get(f"/contacts/{records['contact']}/")
    page = client.get(response.url)
    assert page.status_code == 200 and "Confirm your password" in page.content.decode()
    assert "code" not in page.context["form"].fields  # no second factor: the password is enough
    back = client.post(response.url, {"password": PASSWORD, "next": f"/contacts/{records['contact']}/"})
    assert back.status_code == 302 and back.url == f"/contacts/{records['contact']}/"
    assert "bruises" in client.get(back.url).content.decode()


def test_people_with_a_second_factor_also_give_a_code(world, client_for, records, clock):
    device = give_second_factor(world.safeguarding_lead.user)
    client = client_for(world.safeguarding_lead)
    # The second factor proved at sign-in counts for 15 minutes; after that the confirmation asks for a code too.
    clock.shift(dt.timedelta(minutes=16))
    url = f"/safeguarding/concerns/{records['concern']}/"
    confirm = client.get(url).url
    page = client.get(confirm)
    text = page.content.decode()
    assert "code" in page.context["form"].fields and "Use a passkey instead" in text
    assert "/accounts/second-factor/?next=%2Faccounts%2Fconfirm%2F" in text
    # The password alone is not enough.
    refused = client.post(confirm, {"password": PASSWORD, "next": url})
    assert refused.status_code == 400 and "Enter the code" in refused.content.decode()
    wrong = client.post(confirm, {"password": PASSWORD, "code": "000000", "next": url})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    clock.shift(dt.timedelta(seconds=5))  # django-otp pauses a device briefly after a wrong code
    ok = client.post(confirm, {"password": PASSWORD, "code": totp_code(device), "next": url})
    assert ok.status_code == 302 and ok.url == url
    assert "Zebedee" in client.get(url).content.decode()
    # A password confirmed without a fresh second factor (say, one proved 16 minutes ago) is not enough.
    clock.shift(dt.timedelta(minutes=16))
    confirmed_session(client)
    assert client.get(url).status_code == 302


def test_wrong_passwords_are_counted_in_the_database_and_seen_by_sign_in_throttling(world, client_for):
    seen = []

    def failed(sender, credentials, request, **kwargs):
        seen.append(credentials.get("email"))

    user_login_failed.connect(failed)
    try:
        client = client_for(world.safeguarding_lead)
        for _ in range(5):
            assert client.post("/accounts/confirm/", {"password": "wrong"}).status_code == 400
    finally:
        user_login_failed.disconnect(failed)
    assert seen == [world.safeguarding_lead.user.email] * 5
    assert ConfirmationFailure.objects.filter(user=world.safeguarding_lead.user).count() == 5
    cache.clear()  # another web process has its own memory: the limit still holds
    response = client.post("/accounts/confirm/", {"password": PASSWORD})
    assert response.status_code == 429 and "Too many wrong tries" in response.content.decode()


def test_the_old_confirmation_address_still_works(world, client_for):
    response = client_for(world.safeguarding_lead).get("/safeguarding/confirm/?next=/safeguarding/search/")
    assert response.status_code == 302 and response.url == "/accounts/confirm/?next=%2Fsafeguarding%2Fsearch%2F"
