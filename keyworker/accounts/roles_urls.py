from django.urls import path

from . import views_roles as views

app_name = "roles"
urlpatterns = [
    path("", views.role_list, name="list"),
    path("<int:role_id>/", views.role_edit, name="edit"),
]
