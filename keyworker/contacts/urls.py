"""Contact log pages: record, list, one contact, edit, void."""

from django.urls import path

from . import views, views_messages

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_new, name="new"),
    path("<int:contact_id>/", views.contact_detail, name="detail"),
    path("<int:contact_id>/edit/", views.contact_edit_view, name="edit"),
    path("<int:contact_id>/void/", views.contact_void_view, name="void"),
    path("<int:contact_id>/flag/", views.contact_flag_view, name="flag"),
    path("messages/<int:family_id>/", views_messages.family_messages, name="messages"),
    path("messages/message/<int:message_id>/no-reply/", views_messages.message_no_reply, name="message_no_reply"),
]
