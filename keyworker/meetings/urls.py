"""Staff pages for meetings, under /meetings/."""

from django.urls import path

from . import calendars_views, views

app_name = "meetings"

urlpatterns = [
    path("calendar/", calendars_views.calendar_page, name="calendar"),
    path("calendar/address/", calendars_views.calendar_address, name="calendar_address"),
    path("feed/<str:token>.ics", calendars_views.calendar_feed, name="calendar_feed"),
    path("<int:appointment_id>/appointment.ics", calendars_views.appointment_ics, name="appointment_ics"),
    path("reminders/<int:reminder_id>/done/", calendars_views.reminder_done, name="reminder_done"),
    path("", views.list_view, name="list"),
    path("new/", views.new_view, name="new"),
    path("<int:appointment_id>/", views.detail_view, name="detail"),
    path("<int:appointment_id>/change/", views.change_view, name="change"),
    path("<int:appointment_id>/cancel/", views.cancel_view, name="cancel"),
    path("<int:appointment_id>/attendance/", views.attendance_view, name="attendance"),
    path("<int:appointment_id>/invitees/<int:invitee_id>/answer/", views.rsvp_view, name="rsvp"),
]
