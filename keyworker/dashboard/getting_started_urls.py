"""The getting-started checklist under /getting-started/."""

from django.urls import path

from . import views_getting_started as views

app_name = "getting_started"
urlpatterns = [
    path("", views.checklist_view, name="checklist"),
    path("invite/", views.invite_view, name="invite"),
]
