"""Pages of the briefings app."""

from django.urls import path

from . import views

app_name = "briefings"

urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("<int:briefing_id>/", views.briefing_detail, name="detail"),
    path("<int:briefing_id>/acknowledge/", views.briefing_acknowledge_view, name="acknowledge"),
    path("children/<int:child_id>/acknowledge/", views.child_acknowledge_view, name="acknowledge_child"),
    path("classes/", views.class_list, name="classes"),
    path("classes/<int:group_id>/", views.class_changes, name="class_changes"),
    path("classes/<int:group_id>/progress/", views.class_progress, name="class_progress"),
]
