"""Staff pages of the transitions app (SCH-10)."""

from django.urls import path

from . import views

app_name = "transitions"

urlpatterns = [
    path("", views.cohort_view, name="cohort"),
    path("new/", views.new_view, name="new"),
    path("<int:plan_id>/", views.plan_view, name="plan"),
    path("<int:plan_id>/edit/", views.edit_view, name="edit"),
    path("<int:plan_id>/visits/", views.visit_add_view, name="visit_add"),
    path("<int:plan_id>/share-dates/", views.share_dates_view, name="share_dates"),
    path("visits/<int:visit_id>/write-up/", views.write_up_view, name="write_up"),
    path("visits/<int:visit_id>/", views.visit_view, name="visit"),
    path("children/<int:child_id>/", views.child_view, name="child"),
]
