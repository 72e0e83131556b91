"""Staff pages of learning targets and homework."""

from django.urls import path

from . import homework_views, views

app_name = "targets"

urlpatterns = [
    path("", views.index, name="index"),
    path("children/<int:child_id>/", views.child_view, name="child"),
    path("children/<int:child_id>/new/", views.target_new, name="target_new"),
    path("children/<int:child_id>/share/", views.share, name="share"),
    path("<int:target_id>/edit/", views.target_edit, name="target_edit"),
    path("<int:target_id>/review/", views.target_review, name="target_review"),
    path("homework/", homework_views.homework_list, name="homework"),
    path("homework/new/", homework_views.homework_new, name="homework_new"),
    path("homework/<int:homework_id>/", homework_views.homework_detail, name="homework_detail"),
    path("homework/<int:homework_id>/returns/", homework_views.homework_returns, name="homework_returns"),
    path("homework/<int:homework_id>/children/<int:child_id>/feedback/", homework_views.homework_feedback,
         name="homework_feedback"),
]
