"""The installation's own pages: the first run (/start/) and its organisations (/installation/organisations/)."""

from django.urls import path

from . import installation_views as views

app_name = "installation"
urlpatterns = [
    path("start/", views.first_run, name="first_run"),
    path("installation/organisations/", views.organisations, name="organisations"),
]
