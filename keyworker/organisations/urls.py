from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.setup, name="setup"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("settings/<int:setting_id>/", views.setting_detail, name="setting"),
]
