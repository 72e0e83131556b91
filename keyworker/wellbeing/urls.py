"""Pages of the wellbeing app: the board, concerns (raise, one concern, follow-ups, outcome) and the agency directory."""

from django.urls import path

from . import views

app_name = "wellbeing"

urlpatterns = [
    path("", views.board, name="board"),
    path("concerns/", views.concern_list, name="concerns"),
    path("concerns/new/", views.concern_new, name="new"),
    path("concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path("concerns/<int:concern_id>/follow-up/", views.follow_up_add, name="follow_up"),
    path("concerns/<int:concern_id>/close/", views.concern_close_view, name="close"),
    path("follow-ups/<int:follow_up_id>/response/", views.referral_response, name="response"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/new/", views.agency_new, name="agency_new"),
    path("agencies/<int:agency_id>/edit/", views.agency_edit, name="agency_edit"),
]
