from django.urls import path

from . import views_staff as views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_add, name="add"),
    path("<int:staff_id>/", views.staff_detail, name="detail"),
    path("<int:staff_id>/edit/", views.staff_edit, name="edit"),
    path("<int:staff_id>/photo/", views.staff_photo_change, name="photo"),
    path("<int:staff_id>/photo/remove/", views.staff_photo_delete, name="photo_remove"),
    path("<int:staff_id>/leave/", views.staff_leave_view, name="leave"),
]
