"""Pages of the datachecks app."""

from django.urls import path

from . import views

app_name = "datachecks"

urlpatterns = [
    path("", views.progress_view, name="progress"),
    path("mine/", views.mine_view, name="mine"),
    path("corrections/", views.corrections_view, name="corrections"),
    path("corrections/<int:correction_id>/apply/", views.correction_apply_view, name="correction_apply"),
    path("corrections/<int:correction_id>/reject/", views.correction_reject_view, name="correction_reject"),
    path("children/<int:child_id>/confirm/", views.confirm_view, name="confirm"),
    path("<int:check_id>/", views.detail_view, name="detail"),
    path("<int:check_id>/confirm/", views.admin_confirm_view, name="admin_confirm"),
]
