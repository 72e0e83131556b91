"""A second factor after the password (finding 5): who is asked, enrolment, recovery codes, removing devices."""

import datetime as dt
import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import FIXED_NOW
from keyworker.accounts import mfa
from keyworker.accounts.mfa_services import recovery_codes_generate
from keyworker.core.models import AuditEvent
from keyworker.testing import PASSWORD, give_second_factor, totp_code

pytestmark = pytest.mark.django_db

CODE_PAGE = "/accounts/second-factor/"
DEVICES = "/accounts/second-factor/devices/"


def _password_only(client, staff):
    """Sign in with the password alone, as the form does (no second factor yet)."""
    return client.post("/accounts/sign-in/", {"username": staff.user.email, "password": PASSWORD})


def _request_with(client):
    class _Request:
        session = client.session

    return _Request()


def _code_for_secret(secret: str) -> str:
    return f"{totp(b32decode(secret)):06d}"


@pytest.mark.parametrize("persona", ["headteacher", "deputy", "safeguarding_lead", "admin_office", "outsider"])
def test_leaders_and_the_safeguarding_team_need_a_second_factor(world, persona):
    assert mfa.second_factor_required(world.actor(world.personas[persona]))


@pytest.mark.parametrize("persona", ["teacher_a", "key_worker", "teacher_b"])
def test_class_staff_do_not(world, persona):
    assert not mfa.second_factor_required(world.actor(world.personas[persona]))


def test_a_leader_with_an_app_is_asked_for_its_code_after_the_password(world, client, clock):
    device = give_second_factor(world.headteacher.user)
    r = _password_only(client, world.headteacher)
    assert r.status_code == 302
    r = client.get(r.url)
    assert r.status_code == 302 and r.url == CODE_PAGE
    # Nothing else opens until the code is given: pages, nor the API by session.
    assert client.get("/families/").url == f"{CODE_PAGE}?next=%2Ffamilies%2F"
    api = client.get("/api/v1/families/")
    assert api.status_code == 403 and api.json() == {"errors": {"second_factor": ["Prove your second factor first."]}}
    page = client.get(f"{CODE_PAGE}?next=/families/")
    assert "Confirm it is you" in page.content.decode()
    wrong = client.post(CODE_PAGE, {"code": "000000", "next": "/families/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    too_soon = client.post(CODE_PAGE, {"code": totp_code(device), "next": "/families/"})
    assert "Too many wrong codes" in too_soon.content.decode()  # django-otp slows down guessing
    clock.shift(dt.timedelta(seconds=10))
    right = client.post(CODE_PAGE, {"code": totp_code(device), "next": "/families/"})
    assert right.status_code == 302 and right.url == "/families/"
    assert client.get("/families/").status_code == 200
    assert mfa.verified_at(_request_with(client)) == FIXED_NOW + dt.timedelta(seconds=10)  # mark_verified ran


def test_the_code_page_goes_back_only_to_this_site(world, client):
    device = give_second_factor(world.headteacher.user)
    _password_only(client, world.headteacher)
    r = client.post(CODE_PAGE, {"code": totp_code(device), "next": "https://evil.example/"})
    assert r.url == "/"


def test_a_leader_without_a_second_factor_can_only_add_one(world, client):
    r = _password_only(client, world.deputy)
    assert client.get(r.url).url == DEVICES
    for path in ("/families/", "/compliance/", "/safeguarding/", "/setup/"):
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith(DEVICES), path
    assert client.get("/api/v1/families/").json() == {
        "errors": {"second_factor": ["Add a second factor first: your role needs one."]}
    }
    page = client.get(DEVICES).content.decode()
    assert "Add a second factor to carry on" in page and "Add an authenticator app" in page
    assert client.get("/static/core/keyworker.css").status_code in (200, 404)  # not redirected
    assert client.post("/accounts/sign-out/").status_code == 302


def test_adding_an_app_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(world, client):
    _password_only(client, world.deputy)
    page = client.get("/accounts/second-factor/app/?next=/families/").content.decode()
    assert "<svg" in page and 'aria-label="QR code' in page
    shown = re.search(r'id="totp-secret"><code>([A-Z2-7 ]+)</code>', page).group(1)
    assert shown in client.get("/accounts/second-factor/app/").content.decode()  # the same secret on reload
    secret = shown.replace(" ", "")
    wrong = client.post("/accounts/second-factor/app/", {"code": "12345", "name": "", "next": "/families/"})
    assert "Enter the 6 digits the app shows" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=world.deputy.user, confirmed=True).exists()
    r = client.post("/accounts/second-factor/app/", {"code": _code_for_secret(secret), "name": "My phone", "next": "/families/"})
    assert r.status_code == 302 and r.url == "/accounts/second-factor/recovery-codes/?next=%2Ffamilies%2F"
    assert TOTPDevice.objects.get(user=world.deputy.user, confirmed=True).name == "My phone"
    assert client.get("/families/").status_code == 200  # the session proved the new app
    assert AuditEvent.objects.filter(event_type="second_factor.added", actor=world.deputy.user).exists()


def test_recovery_codes_are_shown_once_and_each_works_once(world, client_for, client, clock):
    leader = client_for(world.headteacher)
    assert "Add an authenticator app or a passkey first" not in leader.get("/accounts/second-factor/recovery-codes/").content.decode()
    page = leader.post("/accounts/second-factor/recovery-codes/").content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    again = leader.get("/accounts/second-factor/recovery-codes/").content.decode()
    assert codes[0] not in again and "10</strong> unused recovery codes" in again
    leader.post("/accounts/sign-out/")

    _password_only(client, world.headteacher)
    r = client.post(CODE_PAGE, {"code": codes[0], "next": "/families/"})
    assert r.url == "/families/"
    client.post("/accounts/sign-out/")
    _password_only(client, world.headteacher)
    spent = client.post(CODE_PAGE, {"code": codes[0], "next": "/families/"})
    assert spent.status_code == 200 and "That code is not right" in spent.content.decode()
    # Making new ones stops the old ones working.
    clock.shift(dt.timedelta(minutes=1))
    _, new = recovery_codes_generate(actor=world.actor(world.headteacher), user=world.headteacher.user)
    assert mfa.verify_code(world.headteacher.user, new[0].upper()) is not None
    assert mfa.verify_code(world.headteacher.user, codes[1]) is None


def test_recovery_codes_come_after_an_app_or_passkey(world, client_for):
    client = client_for(world.ta_a)
    r = client.post("/accounts/second-factor/recovery-codes/")
    assert "Add an authenticator app or a passkey first" in r.content.decode()
    assert not StaticDevice.objects.filter(user=world.ta_a.user).exists()


def test_the_last_app_of_a_leader_cannot_be_removed(world, client_for):
    client = client_for(world.headteacher)
    device = TOTPDevice.objects.get(user=world.headteacher.user)
    r = client.post("/accounts/second-factor/devices/remove/", {"device": device.persistent_id}, follow=True)
    assert "Your role needs a second factor" in r.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    second = TOTPDevice.objects.create(user=world.headteacher.user, name="Spare", confirmed=True)
    client.post("/accounts/second-factor/devices/remove/", {"device": second.persistent_id})
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()


def test_staff_without_the_requirement_may_remove_their_only_app(world, client_for):
    device = give_second_factor(world.ta_a.user)
    client = client_for(world.ta_a)
    r = client.post("/accounts/second-factor/devices/remove/", {"device": device.persistent_id}, follow=True)
    assert "Removed the authenticator app" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=world.ta_a.user).exists()


def test_someone_elses_device_is_not_found(world, client_for):
    theirs = give_second_factor(world.outsider.user)
    client = client_for(world.headteacher)
    assert client.post("/accounts/second-factor/devices/remove/", {"device": theirs.persistent_id}).status_code == 404
    assert client.post("/accounts/second-factor/devices/remove/", {"device": "nonsense"}).status_code == 404
    assert client.get("/accounts/second-factor/passkeys/999/name/").status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_a_password_alone_cannot_add_or_remove_devices(world, client):
    """Someone who has only the password of a person with an app must not be able to add their own."""
    device = give_second_factor(world.ta_a.user)
    _password_only(client, world.ta_a)
    for path in ("/accounts/second-factor/app/", DEVICES, "/accounts/second-factor/recovery-codes/", "/accounts/second-factor/passkeys/"):
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith(CODE_PAGE), path
    r = client.post("/accounts/second-factor/devices/remove/", {"device": device.persistent_id})
    assert r.status_code == 302 and r.url.startswith(CODE_PAGE)
    begin = client.post("/accounts/second-factor/passkeys/ceremony/registration/begin/", content_type="application/json")
    assert begin.status_code in (302, 403)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_teaching_assistant_is_not_asked_and_can_still_raise_a_concern(world, client):
    r = _password_only(client, world.ta_a)
    assert client.get(r.url).url == "/my-week/"
    page = client.get(f"/safeguarding/raise/?child={world.child_a.pk}")
    assert page.status_code == 200 and "Raise a safeguarding concern" in page.content.decode()


def test_someone_who_chose_an_app_is_asked_for_it_too(world, client):
    give_second_factor(world.ta_a.user)
    _password_only(client, world.ta_a)
    assert client.get("/my-week/").url == f"{CODE_PAGE}?next=%2Fmy-week%2F"


def test_an_organisation_can_ask_everyone(world, client_for, client):
    admin = client_for(world.admin_office)
    page = admin.get("/setup/").content.decode()
    assert "Everyone signs in with a second factor" in page
    admin.post("/setup/second-factor/", {"second_factor_for_everyone": "on"})
    world.org.refresh_from_db()
    assert world.org.second_factor_for_everyone
    assert AuditEvent.objects.filter(event_type="organisation.second_factor", organisation_id=world.org.pk).exists()
    admin.post("/accounts/sign-out/")
    _password_only(client, world.ta_a)
    assert client.get("/my-week/").url.startswith(DEVICES)
    # The other organisation is not affected.
    world.other_org.refresh_from_db()
    assert not world.other_org.second_factor_for_everyone


def test_only_set_up_managers_change_it(world, client_for):
    r = client_for(world.teacher_a).post("/setup/second-factor/", {"second_factor_for_everyone": "on"})
    assert r.status_code in (403, 404)
    world.org.refresh_from_db()
    assert not world.org.second_factor_for_everyone


def _passkey(user, name="Work laptop"):
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.create(
        user=user, name=name, confirmed=True, credential_id=f"cred-{user.pk}-{name}".encode(), public_key=b"key",
    )


def test_passkeys_are_named_listed_and_removed(world, client_for):
    client = client_for(world.headteacher)
    passkey = _passkey(world.headteacher.user)
    assert "Work laptop" in client.get("/accounts/second-factor/passkeys/").content.decode()
    blank = client.post(f"/accounts/second-factor/passkeys/{passkey.pk}/name/", {"name": ""})
    assert "Give the passkey a name" in blank.content.decode()
    client.post(f"/accounts/second-factor/passkeys/{passkey.pk}/name/", {"name": "Office PC"})
    passkey.refresh_from_db()
    assert passkey.name == "Office PC"
    # With an app as well, the passkey can go.
    r = client.post("/accounts/second-factor/devices/remove/", {"device": passkey.persistent_id, "from": "passkeys"})
    assert r.url == "/accounts/second-factor/passkeys/"
    assert not type(passkey).objects.filter(pk=passkey.pk).exists()


def test_someone_elses_passkey_is_not_found(world, client_for):
    theirs = _passkey(world.outsider.user)
    client = client_for(world.headteacher)
    assert client.get(f"/accounts/second-factor/passkeys/{theirs.pk}/name/").status_code == 404
    assert client.post(f"/accounts/second-factor/passkeys/{theirs.pk}/name/", {"name": "Mine"}).status_code == 404
    assert client.post("/accounts/second-factor/devices/remove/", {"device": theirs.persistent_id}).status_code == 404
    assert "Mine" != type(theirs).objects.get(pk=theirs.pk).name


def test_a_passkey_alone_is_enough_for_a_leader(world, client):
    _passkey(world.deputy.user)
    r = client.post("/accounts/sign-in/", {"username": world.deputy.user.email, "password": PASSWORD})
    assert client.get(r.url).url == CODE_PAGE  # asked to prove it, not to add one
    page = client.get(CODE_PAGE).content.decode()
    assert 'id="passkey-verification-placeholder"' in page and "Enter a code" not in page
    assert "/static/django_otp_webauthn/otp_webauthn_auth.js" in page
