"""Staff pages of the enrolment app."""

from django.urls import path

from . import views

app_name = "enrolment"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("children/<int:child_id>/", views.child_view, name="child"),
    path("<int:form_id>/", views.detail_view, name="detail"),
    path("<int:form_id>/accept/", views.accept_view, name="accept"),
    path("<int:form_id>/ask-changes/", views.ask_changes_view, name="ask_changes"),
]
