"""The demo's second factors: leaders and the safeguarding team share one authenticator-app secret and one list of
recovery codes, printed beside the sign-ins, so that the demo still signs in."""

from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from keyworker.accounts import mfa
from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember

SECRET = "KEYWORKERDEMOAPPKEYWORKERDEMOAPP"  # noqa: S105 - demo only, printed on purpose (base32, 20 bytes)
RECOVERY_CODES = [f"demo{n:04d}" for n in range(1, 11)]


def give_second_factors(organisation_slugs: list[str]) -> int:
    """An authenticator app (the shared secret) and recovery codes for each demo member whose role needs them."""
    users = []
    for staff in StaffMember.objects.filter(organisation__slug__in=organisation_slugs, is_active=True).select_related("user"):
        if mfa.second_factor_required(actor_for(staff.user, staff.organisation_id)) and staff.user not in users:
            users.append(staff.user)
    key = b32decode(SECRET).hex()
    TOTPDevice.objects.bulk_create([TOTPDevice(user=u, name="Demo authenticator app", key=key, confirmed=True) for u in users])
    statics = StaticDevice.objects.bulk_create([StaticDevice(user=u, name="Recovery codes", confirmed=True) for u in users])
    StaticToken.objects.bulk_create([StaticToken(device=d, token=c) for d in statics for c in RECOVERY_CODES])
    return len(users)


def code_now() -> str:
    return f"{totp(b32decode(SECRET)):06d}"


def describe() -> list[str]:
    grouped = " ".join(SECRET[i:i + 4] for i in range(0, len(SECRET), 4))
    return [
        "Leaders and the safeguarding team also give a second factor. Add this key to an authenticator app",
        f"(time-based, 6 digits): {grouped}   or run `keyworker demo --code` for the code now.",
        f"Recovery codes (each works once per person): {', '.join(RECOVERY_CODES)}",
    ]
