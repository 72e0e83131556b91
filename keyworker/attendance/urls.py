"""Pages of the attendance app."""

from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/<int:group_id>/", views.register, name="register"),
    path("classes/<int:group_id>/", views.class_overview, name="class"),
    path("children/<int:child_id>/", views.child_attendance, name="child"),
    path("unexplained/", views.unexplained, name="unexplained"),
    path("import/", views.import_marks, name="import"),
    path("import/ctf/", views.import_ctf, name="import_ctf"),
    path("rooms/<int:group_id>/sessions/", views.room_sessions, name="room_sessions"),
    path("settings/", views.settings_edit, name="settings"),
    path("concerns/", views.concerns, name="concerns"),
    path("escalation/", views.concern_list, name="concern_list"),
    path("escalation/tiers/", views.escalation_setup, name="escalation_setup"),
    path("escalation/<int:concern_id>/", views.concern_detail, name="concern"),
]
