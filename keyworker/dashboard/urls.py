from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.my_families_view, name="my_families"),
    path("all/", views.family_list, name="family_list"),
    path("<int:family_id>/", views.family_detail, name="family"),
    path("<int:family_id>/timeline/", views.family_timeline_view, name="timeline"),
]
