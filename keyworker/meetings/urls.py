"""Staff pages for meetings, under /meetings/."""

from django.urls import path

from . import calendars_views, evenings_views, reviews_views, views

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

    # Parents' evenings
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
    # EHCP annual reviews
    path("reviews/", reviews_views.reviews_view, name="reviews"),
    path("reviews/children/<int:child_id>/", reviews_views.review_of_child_view, name="review_of_child"),
    path("reviews/children/<int:child_id>/open/", reviews_views.review_open_view, name="review_open"),
    path("reviews/<int:review_id>/", reviews_views.review_view, name="review"),
    path("reviews/<int:review_id>/book/", reviews_views.review_schedule_view, name="review_schedule"),
    path("reviews/<int:review_id>/step/", reviews_views.review_step_view, name="review_step"),
    path("reviews/<int:review_id>/invite-key-worker/", reviews_views.review_invite_key_worker_view, name="review_invite_key_worker"),
    path("reviews/<int:review_id>/share-booklet/", reviews_views.review_share_booklet_view, name="review_share_booklet"),
    path("reviews/<int:review_id>/all-about-my-family/", reviews_views.review_family_views_view, name="review_family_views"),
    path("reviews/<int:review_id>/booklet.pdf", reviews_views.review_booklet_view, name="review_booklet"),
]
