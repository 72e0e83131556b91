"""Writes for second factors: adding an authenticator app, recovery codes, naming and removing devices. Audited."""

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation

from . import mfa
from .models import User

RECOVERY_CODE_COUNT = 10
APP_NAME = "Authenticator app"
KIND_LABELS = {mfa.APP: "authenticator app", mfa.RECOVERY_CODES: "recovery codes", mfa.PASSKEY: "passkey"}


def _audit(actor, user: User, event_type: str, device, summary: str) -> None:
    """Second factors belong to the person, not to an organisation: the log goes to the organisation they act in."""
    organisation_id = getattr(actor, "organisation_id", None)
    if organisation_id is not None:
        audit_record(organisation_id=organisation_id, actor=user, event_type=event_type, obj=device, summary=summary)


@transaction.atomic
def totp_device_start(*, user: User, device_id: int | None = None) -> TOTPDevice:
    """The unconfirmed app being added (kept while the person scans the code), or a new one with a fresh secret."""
    if device_id is not None:
        device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
        if device is not None:
            return device
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor, user: User, device_id: int, code: str, name: str = "") -> TOTPDevice:
    """Confirm an app with the code it shows now: from then on it is one of the person's second factors."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
    if device is None:
        raise RuleViolation("Start again: this set-up has expired.", rule="second_factor")
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and device.verify_token(code)):
        raise RuleViolation("That code is not right. Enter the 6 digits the app shows now.", rule="second_factor")
    device.confirmed = True
    device.name = (name or "").strip()[:64] or APP_NAME
    device.save(update_fields=["confirmed", "name"])
    _audit(actor, user, "second_factor.added", device, f"{user.full_name} added an authenticator app")
    return device


@transaction.atomic
def recovery_codes_generate(*, actor, user: User) -> tuple[StaticDevice, list[str]]:
    """Ten new single-use codes; any earlier ones stop working. The codes are returned once, to be shown once.
    They are a way back in when the app or passkey is lost, so they come after one of those."""
    if not any(mfa.device_kind(d) != mfa.RECOVERY_CODES for d in mfa.devices_of(user)):
        raise RuleViolation("Add an authenticator app or a passkey first.", rule="second_factor")
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    _audit(actor, user, "second_factor.recovery_codes", device, f"{user.full_name} made new recovery codes")
    return device, codes


@transaction.atomic
def passkey_rename(*, actor, user: User, passkey, name: str):
    name = (name or "").strip()
    if not name:
        raise RuleViolation("Give the passkey a name, such as the device it is on.", rule="second_factor")
    if passkey.user_id != user.pk:
        raise RuleViolation("Not found.", rule="tenancy")
    passkey.name = name[:64]
    passkey.save(update_fields=["name"])
    return passkey


@transaction.atomic
def second_factor_remove(*, actor, user: User, device) -> None:
    """Remove one of the person's devices; the last one stays when their role needs a second factor."""
    if device.user_id != user.pk:
        raise RuleViolation("Not found.", rule="tenancy")
    others = [d for d in mfa.devices_of(user) if d.persistent_id != device.persistent_id]
    if mfa.second_factor_required(actor) and not any(mfa.device_kind(d) != mfa.RECOVERY_CODES for d in others):
        raise RuleViolation(
            "Your role needs a second factor: add another app or passkey before removing this one.", rule="second_factor"
        )
    kind = mfa.device_kind(device)
    _audit(actor, user, "second_factor.removed", device, f"{user.full_name} removed a {KIND_LABELS[kind]}")
    device.delete()
