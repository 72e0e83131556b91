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
]
