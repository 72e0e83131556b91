"""Staff pages for meetings, under /meetings/."""

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("new/", views.new_view, name="new"),
    path("<int:appointment_id>/", views.detail_view, name="detail"),
    path("<int:appointment_id>/change/", views.change_view, name="change"),
    path("<int:appointment_id>/cancel/", views.cancel_view, name="cancel"),
    path("<int:appointment_id>/attendance/", views.attendance_view, name="attendance"),
    path("<int:appointment_id>/invitees/<int:invitee_id>/answer/", views.rsvp_view, name="rsvp"),
]
