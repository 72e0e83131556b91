from django.urls import path

from . import views_exports

app_name = "exports"
urlpatterns = [
    path("organisation/", views_exports.organisation_archive, name="organisation_archive"),
    path("<int:export_id>/", views_exports.export_page, name="export"),
    path("<int:export_id>/download/", views_exports.export_download, name="download"),
]
