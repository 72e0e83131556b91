"""Staff pages for meetings, under /meetings/."""

from django.urls import path

from . import evenings_views

app_name = "meetings"

urlpatterns: list = []

# Parents' evenings
urlpatterns += [
    path("evenings/", evenings_views.evening_list_view, name="evening_list"),
    path("evenings/new/", evenings_views.evening_new_view, name="evening_new"),
    path("evenings/<int:evening_id>/", evenings_views.evening_detail_view, name="evening_detail"),
    path("evenings/<int:evening_id>/edit/", evenings_views.evening_edit_view, name="evening_edit"),
    path("evenings/<int:evening_id>/close/", evenings_views.evening_close_view, name="evening_close"),
    path("evenings/<int:evening_id>/cancel/", evenings_views.evening_cancel_view, name="evening_cancel"),
    path("evenings/<int:evening_id>/timetable/", evenings_views.timetable_view, name="evening_timetable"),
    path("evenings/<int:evening_id>/timetable/<int:staff_id>/", evenings_views.timetable_view, name="evening_staff_timetable"),
    path("evenings/<int:evening_id>/slots/<int:slot_id>/", evenings_views.office_slot_view, name="evening_slot"),
    path("evenings/<int:evening_id>/slots/<int:slot_id>/attendance/", evenings_views.attendance_view, name="evening_attendance"),
]
