"""The carers' portal, under /family/. Every page is for a signed-in carer (keyworker.portal.access)."""

from django.urls import path

from . import views, views_appointments

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("appointments/", views_appointments.appointments, name="appointments"),
    path("appointments/<int:invitee_id>/answer/", views_appointments.appointment_answer, name="appointment_answer"),
]
