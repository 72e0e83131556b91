"""Pages for second factors: proving one after the password, and adding or removing apps, recovery codes, passkeys."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp_webauthn.models import WebAuthnCredential

from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, service_call
from keyworker.core.requests import int_param, safe_next

from . import mfa, mfa_services
from .mfa_forms import AppConfirmForm, CodeForm, PasskeyNameForm

SESSION_APP_BEING_ADDED = "mfa_app_being_added"


def _with_next(url: str, nxt: str) -> str:
    return f"{url}?{urlencode({'next': nxt})}" if nxt else url


def _may_change_devices(request) -> bool:
    """Devices are added or removed only in a session that proved a second factor, or by someone with none yet:
    a stolen password alone must not be enough to add the thief's own app."""
    return request.user.is_verified() or not mfa.has_second_factor(request.user)


def _guard(request):
    """None, or where to send someone who must prove their second factor before changing devices."""
    if _may_change_devices(request):
        return None
    return redirect(_with_next(reverse("accounts:second_factor"), request.get_full_path()))


@never_cache
@login_required
def second_factor(request):
    """After the password (or when a page asks again): a code from an app, a recovery code, or a passkey."""
    nxt = safe_next(request) or reverse("home")
    devices = mfa.devices_of(request.user)
    if not devices:
        mfa.remember_devices(request)
        if mfa.second_factor_required(request.actor):
            return redirect(_with_next(reverse("accounts:second_factor_devices"), nxt))
        return redirect(nxt)
    kinds = {mfa.device_kind(d) for d in devices}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_code(request.user, form.cleaned_data["code"])
        if device is None and not all(d.verify_is_allowed()[0] for d in devices if hasattr(d, "verify_is_allowed")):
            form.add_error("code", "Too many wrong codes: wait a little, then try again with the code the app shows then.")
        elif device is None:
            form.add_error("code", "That code is not right. Check the app shows the same account, and try again.")
        else:
            mfa.mark_verified(request, device)
            if mfa.device_kind(device) == mfa.RECOVERY_CODES:
                left = device.token_set.count()
                messages.warning(request, f"You used a recovery code: {left} left. Make new ones if you are running out.")
            return redirect(nxt)
    return render(request, "accounts/second_factor.html", {
        "form": form, "next": nxt, "has_app": mfa.APP in kinds or mfa.RECOVERY_CODES in kinds,
        "has_passkey": mfa.PASSKEY in kinds,
    })


@never_cache
@login_required
def devices(request):
    """Your second factors, with remove; and the ways to add one."""
    if (to := _guard(request)) is not None:
        return to
    nxt = safe_next(request)
    rows = []
    for d in mfa.devices_of(request.user):
        kind = mfa.device_kind(d)
        detail = ""
        if kind == mfa.RECOVERY_CODES:
            detail = f"{d.token_set.count()} of {mfa_services.RECOVERY_CODE_COUNT} unused"
        elif kind == mfa.PASSKEY and d.last_used_at:
            detail = f"last used {on_screen(d.last_used_at)}"
        rows.append({"device": d, "kind": kind, "label": mfa_services.KIND_LABELS[kind], "detail": detail})
    required = mfa.second_factor_required(request.actor)
    return render(request, "accounts/second_factor_devices.html", {
        "rows": rows, "required": required, "next": nxt,
        "enrolling": required and not rows,
        "has_app_or_passkey": any(r["kind"] != mfa.RECOVERY_CODES for r in rows),
    })


@never_cache
@login_required
def add_app(request):
    """Scan a QR code (or type the secret) into an authenticator app, then confirm with the code it shows."""
    if (to := _guard(request)) is not None:
        return to
    nxt = safe_next(request)
    device = mfa_services.totp_device_start(user=request.user, device_id=request.session.get(SESSION_APP_BEING_ADDED))
    request.session[SESSION_APP_BEING_ADDED] = device.pk
    form = AppConfirmForm(request.POST or None)

    def save(data):
        confirmed = mfa_services.totp_device_confirm(actor=request.actor, user=request.user, device_id=device.pk,
                                                     code=data["code"], name=data["name"])
        request.session.pop(SESSION_APP_BEING_ADDED, None)
        if not request.user.is_verified():
            mfa.mark_verified(request, confirmed)  # they have just shown a code from it
        mfa.remember_devices(request)
        return (_with_next(reverse("accounts:second_factor_recovery_codes"), nxt),
                "Your authenticator app is added. Now make recovery codes, in case you lose it.")
    if (done := form_submit(request, form, save, fallback="code")) is not None:
        return done
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return render(request, "accounts/second_factor_app.html", {
        "form": form, "next": nxt, "qr_svg": qr,
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)], "secret": secret,
    })


@never_cache
@login_required
def recovery_codes(request):
    """Make ten single-use recovery codes, shown this once."""
    if (to := _guard(request)) is not None:
        return to
    nxt = safe_next(request)
    static = [d for d in mfa.devices_of(request.user) if mfa.device_kind(d) == mfa.RECOVERY_CODES]
    codes, error = None, None
    if request.method == "POST":
        try:
            device, codes = mfa_services.recovery_codes_generate(actor=request.actor, user=request.user)
        except RuleViolation as exc:
            error = exc.message
        else:
            static = [device]
            mfa.remember_devices(request)
    has_app_or_passkey = any(mfa.device_kind(d) != mfa.RECOVERY_CODES for d in mfa.devices_of(request.user))
    return render(request, "accounts/second_factor_recovery_codes.html", {
        "codes": codes, "error": error, "next": nxt, "has_app_or_passkey": has_app_or_passkey,
        "left": static[0].token_set.count() if static else None,
    })


@never_cache
@login_required
def passkeys(request):
    """Register a passkey on this device (the browser asks for a fingerprint, face or PIN); your passkeys."""
    if (to := _guard(request)) is not None:
        return to
    nxt = safe_next(request)
    rows = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).order_by("created_at", "pk")
    return render(request, "accounts/second_factor_passkeys.html", {"passkeys": rows, "next": nxt})


def _passkey_of(request, passkey_id) -> WebAuthnCredential:
    pk = int_param(str(passkey_id))
    passkey = WebAuthnCredential.objects.filter(user=request.user, pk=pk).first() if pk else None
    if passkey is None:
        raise Http404("No such passkey")
    return passkey


@never_cache
@login_required
def passkey_name(request, passkey_id: int):
    """Name a passkey (straight after registering it, or later)."""
    if (to := _guard(request)) is not None:
        return to
    passkey = _passkey_of(request, passkey_id)
    nxt = safe_next(request)
    form = PasskeyNameForm(request.POST or None, initial={"name": passkey.name})

    def save(data):
        mfa_services.passkey_rename(actor=request.actor, user=request.user, passkey=passkey, name=data["name"])
        mfa.remember_devices(request)
        messages.success(request, f"Passkey “{passkey.name}” saved.")
        return redirect(nxt or "accounts:second_factor_passkeys")
    if (done := form_submit(request, form, save, fallback="name")) is not None:
        return done
    return render(request, "accounts/second_factor_passkey_name.html", {"form": form, "passkey": passkey, "next": nxt})


@login_required
@require_POST
def remove(request):
    """Remove one of your devices (refused for the last app or passkey when your role needs a second factor)."""
    if (to := _guard(request)) is not None:
        return to
    device = Device.from_persistent_id(request.POST.get("device", ""))
    if device is None or device.user_id != request.user.pk:
        raise Http404("No such device")
    kind = mfa.device_kind(device)

    def remove_device():
        mfa_services.second_factor_remove(actor=request.actor, user=request.user, device=device)
        mfa.remember_devices(request)
    service_call(request, remove_device, success=f"Removed the {mfa_services.KIND_LABELS[kind]}.")
    back = "accounts:second_factor_passkeys" if request.POST.get("from") == "passkeys" else "accounts:second_factor_devices"
    return redirect(back)
