"""Pages of the safeguarding app."""

from django.urls import path

from . import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("raise/", views.concern_raise, name="raise"),
    path("raise/children.json", views.children_search, name="children_search"),
    path("confirm/", views.confirm_password, name="confirm"),
    path("search/", views.search, name="search"),
    path("access-log/", views.access_log, name="access_log"),
    path("concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path("concerns/<int:concern_id>/sent/", views.concern_sent, name="sent"),
    path("concerns/<int:concern_id>/addendum/", views.concern_addendum, name="addendum"),
    path("concerns/<int:concern_id>/close/", views.concern_close, name="close"),
    path("children/<int:child_id>/", views.chronology, name="chronology"),
    path("children/<int:child_id>/entries/", views.entry_add, name="entry_add"),
    path("children/<int:child_id>/status/", views.status_change, name="status"),
    path("children/<int:child_id>/transfer/", views.transfer, name="transfer"),
    path("children/<int:child_id>/file.<str:fmt>", views.export, name="export"),
    path("entries/<int:entry_id>/", views.entry_update, name="entry_update"),
]
