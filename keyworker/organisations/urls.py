from django.urls import path

from . import views, views_term_dates, views_typical_year

app_name = "organisations"
urlpatterns = [
    path("", views.setup, name="setup"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("portal-access/", views.portal_access, name="portal_access"),
    path("settings/<int:setting_id>/", views.setting_detail, name="setting"),
    path("settings/<int:setting_id>/typical-year/", views_typical_year.typical_year_copy, name="typical_year"),
    path("settings/<int:setting_id>/term-dates/import/", views_term_dates.term_dates_import_page, name="term_dates_import"),
    path("settings/<int:setting_id>/term-dates.ics", views_term_dates.term_dates_download, name="term_dates_download"),
    path("term-dates/<str:token>.ics", views_term_dates.term_dates_feed_view, name="term_dates_feed"),
    path("settings/<int:setting_id>/<slug:kind>/<int:entry_id>/", views.calendar_entry, name="calendar_entry"),
]
