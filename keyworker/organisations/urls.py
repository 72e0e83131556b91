from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.setup, name="setup"),
    path("settings/<int:setting_id>/", views.setting_detail, name="setting"),
]
