"""Second factors (django-otp): does a person have one, check a code, and when this session last proved one.

Every part of the product that asks for a second factor (sign-in, the restricted-records confirmation, API
tokens) goes through these functions, so the kinds of device (TOTP app, recovery codes, passkeys) are known
in one place.
"""

import datetime as dt

from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login

from keyworker.core import clock

from .models import User

SESSION_VERIFIED_AT = "mfa_verified_at"
SESSION_HAS_DEVICE = "mfa_has_device"  # cached per session, so people without a device do not pay a query a page

# Kinds of device, in the words people see.
APP, RECOVERY_CODES, PASSKEY = "app", "recovery_codes", "passkey"


def second_factor_required(actor) -> bool:
    """Must this person sign in with a second factor? Everyone who can read restricted records (the safeguarding
    team), leaders (allocations or staff management, or an organisation-wide role), and everyone in an
    organisation that asks it of all its staff."""
    from .capabilities import LEADS_SETTING, MANAGE_STAFF, SAFEGUARDING_TEAM

    if actor is None or not actor.is_member:
        return False
    if actor.has_organisation_scope:
        return True
    if actor.capabilities() & {SAFEGUARDING_TEAM, LEADS_SETTING, MANAGE_STAFF}:
        return True
    return bool(actor.organisation.second_factor_for_everyone)


def device_kind(device) -> str:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if isinstance(device, TOTPDevice):
        return APP
    if isinstance(device, StaticDevice):
        return RECOVERY_CODES
    return PASSKEY


def devices_of(user: User) -> list:
    """The person's confirmed devices: apps first, then passkeys, then recovery codes."""
    order = {APP: 0, PASSKEY: 1, RECOVERY_CODES: 2}
    return sorted(devices_for_user(user, confirmed=True), key=lambda d: (order[device_kind(d)], d.pk))


def session_has_device(request: HttpRequest) -> bool:
    """has_second_factor for the signed-in person, remembered in the session (the pages that add or remove a
    device refresh it with `remember_devices`)."""
    cached = request.session.get(SESSION_HAS_DEVICE)
    if isinstance(cached, bool):
        return cached
    return remember_devices(request)


def remember_devices(request: HttpRequest) -> bool:
    has = has_second_factor(request.user)
    request.session[SESSION_HAS_DEVICE] = has
    return has


def has_second_factor(user: User) -> bool:
    """True if the person has at least one confirmed device (an app, recovery codes or a passkey)."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def verify_code(user: User, code: str):
    """The device that accepts this code (a TOTP code or an unused recovery code, which is then spent), or None."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code:
        return None
    # An app's code is 6 digits, a recovery code 8 letters and digits: try only the kind it can be, so a recovery
    # code does not count as a wrong guess against the app (django-otp slows down guessing per device).
    wanted = APP if code.isdigit() and len(code) < 8 else RECOVERY_CODES
    for device in devices_for_user(user, confirmed=True):
        if device_kind(device) == wanted and device.verify_token(code):
            return device
    return None


def mark_verified(request: HttpRequest, device) -> None:
    """Record in the session that the person proved a second factor now (also django-otp's own flag)."""
    otp_login(request, device)
    request.session[SESSION_VERIFIED_AT] = clock.now().timestamp()
    request.session[SESSION_HAS_DEVICE] = True


def verified_at(request: HttpRequest) -> dt.datetime | None:
    at = request.session.get(SESSION_VERIFIED_AT)
    if not isinstance(at, int | float):
        return None
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)


def remember_devices_at_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_HAS_DEVICE] = has_second_factor(user)
