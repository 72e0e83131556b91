"""Import pages, under /import/."""

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/columns/", views.mapping, name="mapping"),
    path("<int:job_id>/check/", views.preview, name="preview"),
    path("<int:job_id>/confirm/", views.confirm, name="confirm"),
    path("<int:job_id>/progress/", views.progress, name="progress"),
    path("<int:job_id>/result/", views.result, name="result"),
    path("<int:job_id>/save-mapping/", views.save_mapping, name="save_mapping"),
    path("mappings/", views.saved_mappings, name="saved_mappings"),
    path("mappings/<int:mapping_id>/", views.saved_mapping_edit, name="saved_mapping"),
    path("mappings/<int:mapping_id>/delete/", views.saved_mapping_delete, name="saved_mapping_delete"),
]

from . import ctf_views  # noqa: E402 - the common transfer file pages, after the MIS import's

urlpatterns += [
    path("ctf/", ctf_views.ctf_start, name="ctf_start"),
    path("ctf/<int:upload_id>/", ctf_views.ctf_preview, name="ctf_preview"),
    path("ctf/<int:upload_id>/confirm/", ctf_views.ctf_confirm, name="ctf_confirm"),
    path("ctf/child/<int:child_id>/", ctf_views.ctf_export_download, name="ctf_export"),
]
