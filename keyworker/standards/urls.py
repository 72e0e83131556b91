"""Policy pages under /policies/."""

from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:policy_id>/", views.policy_detail, name="detail"),
    path("<int:policy_id>/acknowledge/", views.policy_acknowledge, name="acknowledge"),
    path("<int:policy_id>/versions/new/", views.version_create, name="version_create"),
    path("standards/<int:standard_id>/", views.standard_edit, name="standard"),
    path("standards/<int:standard_id>/switch/", views.standard_switch, name="standard_switch"),
    path("changes/<int:revision_id>/acknowledge/", views.change_acknowledge, name="change_acknowledge"),
]
