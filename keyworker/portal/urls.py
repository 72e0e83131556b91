"""The carers' portal, under /family/. Every page is for a signed-in carer (keyworker.portal.access)."""

from django.urls import path

from . import views, views_messages

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("messages/", views_messages.messages_index, name="messages_index"),
    path("messages/<int:family_id>/", views_messages.messages_thread, name="messages"),
]
