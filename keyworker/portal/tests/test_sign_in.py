"""Signing in to the portal by an e-mailed link: same answer for every address, single use, expiry, bound to the
address, throttled; staff never sign in here and carers never with a password."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from keyworker.people.models import Carer, ContactRestriction
from keyworker.portal.models import SignInLinkRequest
from keyworker.testing import carer_account

from .helpers import last_link, send_outbox, sign_in_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def carer(world):
    c = world.family_a.carers.first()
    carer_account(c, "amy.adams@example.org")
    c.refresh_from_db()
    return c


def ask(client, email):
    return client.post("/family/sign-in/", {"email": email})


def test_a_known_carer_gets_a_link_that_signs_them_in_once(world, carer, clock):
    client = Client()
    response = ask(client, "Amy.Adams@Example.org")
    assert response.status_code == 302 and response.url == "/family/sign-in/sent/"
    assert "If the address is known, a link is on its way" in client.get(response.url).content.decode()
    path = last_link("amy.adams@example.org")
    done = sign_in_with(client, path)
    assert done.status_code == 302 and done.url == "/family/"
    home = client.get("/family/")
    assert home.status_code == 200 and "Alfie Adams" in home.content.decode()
    # Used twice: no one is signed in, and the page says how to get a new link.
    other = Client()
    again = other.get(path)
    assert again.status_code == 400 and "Get a new link" in again.content.decode()
    assert other.post("/family/sign-in/link/", {"sesame": path.split("=", 1)[1]}).status_code == 400
    assert other.get("/family/").status_code == 302


def test_opening_the_link_alone_does_not_spend_it(world, carer, clock):
    client = Client()
    ask(client, carer.email)
    path = last_link(carer.email)
    assert Client().get(path).status_code == 200  # a mail scanner opens it
    assert sign_in_with(client, path).url == "/family/"


def test_an_expired_link_signs_no_one_in(world, carer, clock):
    client = Client()
    ask(client, carer.email)
    path = last_link(carer.email)
    clock.shift(dt.timedelta(minutes=16))
    response = client.get(path)
    assert response.status_code == 400 and "has expired" in response.content.decode()
    assert client.get("/family/").status_code == 302


def test_a_link_opened_after_the_address_changed_signs_no_one_in(world, carer, clock):
    client = Client()
    ask(client, carer.email)
    path = last_link(carer.email)
    carer.user.email = "amy.new@example.org"
    carer.user.save()
    assert client.get(path).status_code == 400
    assert client.get("/family/").status_code == 302


def test_unknown_staff_and_no_contact_addresses_get_the_same_answer_and_no_link(world, carer, clock):
    no_contact = world.family_b.carers.first()
    carer_account(no_contact, "nc@example.org")
    Carer.objects.filter(pk=no_contact.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    answers = set()
    for address in ("nobody@example.org", world.ta_a.user.email, "nc@example.org", carer.email):
        response = ask(Client(), address)
        answers.add((response.status_code, response.url))
    assert answers == {(302, "/family/sign-in/sent/")}
    send_outbox()
    assert [m.to for m in mail.outbox] == [[carer.email]]


def test_a_carer_whose_links_open_nothing_gets_no_link(world, carer, clock):
    world.org.portal_restricted_access = "nothing"
    world.org.save()
    Carer.objects.filter(pk=carer.pk).update(parental_responsibility=False)
    ask(Client(), carer.email)
    send_outbox()
    assert mail.outbox == []


def test_link_requests_are_throttled_per_address(world, carer, clock, settings):
    settings.KEYWORKER_PORTAL_LINKS_PER_HOUR = 3
    for _ in range(5):
        assert ask(Client(), carer.email).status_code == 302
    send_outbox()
    assert len(mail.outbox) == 3
    assert SignInLinkRequest.objects.count() == 5
    assert all(carer.email not in r.address_digest for r in SignInLinkRequest.objects.all())
    clock.shift(dt.timedelta(hours=1, minutes=1))
    ask(Client(), carer.email)
    send_outbox()
    assert len(mail.outbox) == 4


def test_a_bad_address_is_told_next_to_the_field(world, clock):
    response = ask(Client(), "not an address")
    assert response.status_code == 400 and "Enter an e-mail address like" in response.content.decode()
    assert ask(Client(), "").status_code == 400


def test_nonsense_tokens_never_500(world, clock):
    for token in ("", "x", "a" * 600, "%00", "é"):
        assert Client().get("/family/sign-in/link/", {"sesame": token}).status_code == 400
        assert Client().post("/family/sign-in/link/", {"sesame": token}).status_code == 400


def test_staff_never_sign_in_through_the_portal(world, client_for, clock):
    client = client_for(world.ta_a)
    for path in ("/family/sign-in/", "/family/sign-in/sent/", "/family/sign-in/link/?sesame=x", "/family/"):
        assert client.get(path).status_code == 404


def test_password_sign_in_refuses_carer_accounts(world, carer, clock):
    carer.user.set_password("a-long-enough-password-1")
    carer.user.save()
    response = Client().post(reverse("accounts:login"), {"username": carer.email, "password": "a-long-enough-password-1"})
    assert response.status_code == 200 and "is not right" in response.content.decode()


def test_a_carers_session_ends_sooner_when_idle(world, carer, clock, settings):
    settings.CARER_SESSION_IDLE_MINUTES = 10
    client = Client()
    ask(client, carer.email)
    sign_in_with(client, last_link(carer.email))
    assert client.session.get_expiry_age() == 600


def test_an_idle_carer_is_signed_out_on_their_next_request_and_active_use_keeps_them_in(world, carer, clock, settings):
    settings.CARER_SESSION_IDLE_MINUTES = 10
    client = Client()
    ask(client, carer.email)
    sign_in_with(client, last_link(carer.email))
    # In use: a page every 7 minutes for three quarters of an hour, each less than the limit after the last.
    for _ in range(7):
        clock.shift(dt.timedelta(minutes=7))
        page = client.get("/family/")
        assert page.status_code == 200 and "Alfie Adams" in page.content.decode()
    # Left alone for 11 minutes: the next request finds the session over, and the page asks them to sign in again.
    clock.shift(dt.timedelta(minutes=11))
    response = client.get("/family/forms/")
    assert response.status_code == 302 and response.url.startswith("/family/sign-in/?next=/family/forms/")
    assert "_auth_user_id" not in client.session
    assert client.get("/family/").status_code == 302


def test_sign_out(world, carer, clock):
    client = Client()
    ask(client, carer.email)
    sign_in_with(client, last_link(carer.email))
    assert client.post("/family/sign-out/").url == "/family/sign-in/"
    assert client.get("/family/").status_code == 302


def test_the_page_asked_for_before_signing_in_is_where_the_link_leads(world, carer, clock):
    client = Client()
    first = client.get("/family/")
    assert first.status_code == 302 and first.url.startswith("/family/sign-in/?next=/family/")
    client.get(first.url)
    ask(client, carer.email)
    assert sign_in_with(client, last_link(carer.email)).url == "/family/"


def test_a_carer_without_a_password_still_gets_digests(world, carer):
    from keyworker.notifications.services import _can_sign_in

    assert not carer.user.has_usable_password() and _can_sign_in(carer.user)
