"""The carers' portal, under /family/. Every page is for a signed-in carer (keyworker.portal.access), except the
sign-in pages."""

from django.urls import path

from . import (
    views,
    views_appointments,
    views_bookings,
    views_calendar,
    views_forms,
    views_messages,
    views_reviews,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("key-workers/<int:staff_id>/photo/", views.key_worker_photo, name="key_worker_photo"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/sent/", views.sign_in_sent, name="sign_in_sent"),
    path("sign-in/link/", views.sign_in_link, name="sign_in_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/address/", views_calendar.calendar_address, name="calendar_address"),
    path("appointments/<int:appointment_id>/calendar.ics", views_calendar.appointment_ics, name="appointment_ics"),
    path("appointments/", views_appointments.appointments, name="appointments"),
    path("appointments/<int:invitee_id>/answer/", views_appointments.appointment_answer, name="appointment_answer"),
    path("forms/", views_forms.index, name="forms"),
    path("forms/<int:family_id>/details/", views_forms.data_check, name="forms_data_check"),
    path("forms/<int:family_id>/contact/", views_forms.contact_preference, name="forms_contact"),
    path("forms/children/<int:child_id>/enrolment/", views_forms.enrolment_form, name="forms_enrolment"),
    path("messages/", views_messages.messages_index, name="messages_index"),
    path("messages/<int:family_id>/", views_messages.messages_thread, name="messages"),
]

# Parents' evenings: booking slots
urlpatterns += [
    path("bookings/", views_bookings.bookings_list, name="bookings"),
    path("bookings/<int:evening_id>/", views_bookings.bookings_evening, name="bookings_evening"),
    path("bookings/<int:evening_id>/book/", views_bookings.bookings_book, name="bookings_book"),
    path("bookings/<int:evening_id>/<int:slot_id>/move/", views_bookings.bookings_move, name="bookings_move"),
    path("bookings/<int:evening_id>/<int:slot_id>/cancel/", views_bookings.bookings_cancel, name="bookings_cancel"),
    # Annual reviews, "All about my family" and the pupil booklet
    path("reviews/", views_reviews.reviews_list, name="reviews"),
    path("reviews/<int:review_id>/", views_reviews.review, name="review"),
    path("reviews/<int:review_id>/all-about-my-family/", views_reviews.family_views, name="review_family_views"),
    path("reviews/<int:review_id>/booklet.pdf", views_reviews.booklet, name="review_booklet"),
]

# Personal care plans: read the current plan, comment, ask for a review
from . import views_care_plans  # noqa: E402

urlpatterns += [
    path("care-plans/", views_care_plans.care_plans, name="care_plans"),
    path("care-plans/<int:child_id>/", views_care_plans.care_plan, name="care_plan"),
]

# Learning journals (CC-K4)
from . import views_journal  # noqa: E402

urlpatterns += [
    path("journal/", views_journal.journal_index, name="journal"),
    path("journal/<int:child_id>/", views_journal.journal_child, name="journal_child"),
    path("journal/<int:child_id>/observations/<int:observation_id>/comment/", views_journal.journal_comment,
         name="journal_comment"),
    path("journal/<int:child_id>/wow/", views_journal.journal_wow, name="journal_wow"),
    path("journal/photos/<int:photo_id>/<str:size>/", views_journal.journal_photo, name="journal_photo"),
    path("journal/wow-moments/<int:wow_id>/<str:size>/", views_journal.journal_wow_photo, name="journal_wow_photo"),
]

# Learning targets and homework (SCH-8)
from . import views_homework, views_targets  # noqa: E402

urlpatterns += [
    path("targets/", views_targets.targets_index, name="targets"),
    path("targets/<int:child_id>/", views_targets.targets_child, name="targets_child"),
    path("homework/", views_homework.homework_index, name="homework"),
    path("homework/<int:child_id>/", views_homework.homework_child, name="homework_child"),
]

# Year 6 transitions: the visit dates and how each visit went
from . import views_transitions  # noqa: E402

urlpatterns += [
    path("transitions/", views_transitions.transitions_list, name="transitions"),
    path("transitions/<int:plan_id>/", views_transitions.transition, name="transition"),
]
