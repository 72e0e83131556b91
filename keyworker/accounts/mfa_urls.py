"""Second-factor pages, under /accounts/second-factor/ (the accounts namespace)."""

from django.urls import path

from . import views_mfa

urlpatterns = [
    path("", views_mfa.second_factor, name="second_factor"),
    path("devices/", views_mfa.devices, name="second_factor_devices"),
    path("devices/remove/", views_mfa.remove, name="second_factor_remove"),
    path("app/", views_mfa.add_app, name="second_factor_app"),
    path("recovery-codes/", views_mfa.recovery_codes, name="second_factor_recovery_codes"),
    path("passkeys/", views_mfa.passkeys, name="second_factor_passkeys"),
    path("passkeys/<int:passkey_id>/name/", views_mfa.passkey_name, name="second_factor_passkey_name"),
]
