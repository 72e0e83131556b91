"""The passkey ceremonies (django-otp-webauthn's JSON endpoints), under /accounts/second-factor/passkeys/ceremony/.

Completing either ceremony records the proof with `mfa.mark_verified`, as a code does, so pages that ask how
recently this session proved a second factor see passkeys too.
"""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views

from . import mfa

app_name = "otp_webauthn"  # the name django-otp-webauthn's template tags reverse


class CompleteRegistration(views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        mfa.remember_devices(self.request)
        return response


class CompleteAuthentication(views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        # Passwordless sign-in is off: only a signed-in person reaches this (the base class checks the passkey is theirs).
        mfa.mark_verified(self.request, device)


urlpatterns = [
    path("registration/begin/", views.BeginCredentialRegistrationView.as_view(), name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", views.BeginCredentialAuthenticationView.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
