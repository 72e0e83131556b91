from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import views
from .forms import PasswordSetForm, SignInForm

app_name = "accounts"
urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisation/", views.switch_organisation, name="switch_organisation"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:invitation_id>/", views.invitation_answer, name="invitation_answer"),
    path("second-factor/", include("keyworker.accounts.mfa_urls")),
    path("", views.account, name="account"),
    path("photo/", views.account_photo, name="account_photo"),
    path("photo/remove/", views.account_photo_remove, name="account_photo_remove"),
    path("staff/<int:staff_id>/photo/", views.staff_photo, name="staff_photo"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("confirm/", views.confirm, name="confirm"),
    path(
        "password/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordSetForm, template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt", subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path("password/sent/", auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path(
        "password/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html", success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path("password/done/", auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
]
