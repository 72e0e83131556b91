"""Staff pages of the carers' portal (under /families/): invitations."""

from django.urls import path

from . import views_invitations

app_name = "portal_staff"

urlpatterns = [
    path("carers/<int:carer_id>/portal-invite/", views_invitations.carer_invite, name="carer_invite"),
    path("portal-invitations/class/", views_invitations.class_invite, name="class_invite"),
]
