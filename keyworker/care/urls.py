"""Staff pages of the care app, under /care/."""

from django.urls import path

from . import chats_views, checklists_views, introductions_views

app_name = "care"

urlpatterns: list = []

urlpatterns += [
    path("checklists/", checklists_views.list_view, name="checklists"),
    path("checklists/set-up/", checklists_views.setup_view, name="checklists_setup"),
    path("checklists/set-up/items/", checklists_views.item_add_view, name="checklists_item_add"),
    path("checklists/set-up/items/<int:item_id>/remove/", checklists_views.item_remove_view,
         name="checklists_item_remove"),
    path("checklists/set-up/introductions/", checklists_views.introducer_view, name="checklists_introducer"),
    path("checklists/children/<int:child_id>/", checklists_views.child_view, name="checklists_child"),
    path("checklists/children/<int:child_id>/<slug:kind>/<slug:item>/tick/", checklists_views.tick_view,
         name="checklists_tick"),
    path("checklists/children/<int:child_id>/<slug:kind>/<slug:item>/take-back/", checklists_views.untick_view,
         name="checklists_untick"),
    path("introductions/", introductions_views.list_view, name="introductions"),
    path("introductions/children/<int:child_id>/", introductions_views.record_view, name="introductions_record"),
    path("chats/", chats_views.list_view, name="chats"),
    path("chats/children/<int:child_id>/", chats_views.child_view, name="chats_child"),
]
