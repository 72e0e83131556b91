from django.urls import path

from . import views_audit as views

app_name = "audit"
urlpatterns = [
    path("", views.audit_search, name="search"),
    path("export.csv", views.audit_export, name="export"),
]
