from django.urls import path

from . import views, views_typical_year

app_name = "organisations"
urlpatterns = [
    path("", views.setup, name="setup"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("portal-access/", views.portal_access, name="portal_access"),
    path("settings/<int:setting_id>/", views.setting_detail, name="setting"),
    path("settings/<int:setting_id>/typical-year/", views_typical_year.typical_year_copy, name="typical_year"),
    path("settings/<int:setting_id>/<slug:kind>/<int:entry_id>/", views.calendar_entry, name="calendar_entry"),
]
