"""Staff pages for meetings, under /meetings/."""

from django.urls import path

from . import calendars_views

app_name = "meetings"

urlpatterns: list = [
    path("calendar/", calendars_views.calendar_page, name="calendar"),
    path("calendar/address/", calendars_views.calendar_address, name="calendar_address"),
    path("feed/<str:token>.ics", calendars_views.calendar_feed, name="calendar_feed"),
    path("<int:appointment_id>/appointment.ics", calendars_views.appointment_ics, name="appointment_ics"),
    path("reminders/<int:reminder_id>/done/", calendars_views.reminder_done, name="reminder_done"),
]
