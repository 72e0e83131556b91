from django.urls import path

from . import views, views_data_rights

app_name = "dashboard"
urlpatterns = [
    path("", views.my_families_view, name="my_families"),
    path("all/", views.family_list, name="family_list"),
    path("<int:family_id>/", views.family_detail, name="family"),
    path("<int:family_id>/timeline/", views.family_timeline_view, name="timeline"),
    path("children/<int:child_id>/subject-access/", views_data_rights.child_subject_access, name="child_subject_access"),
    path("carers/<int:carer_id>/subject-access/", views_data_rights.carer_subject_access, name="carer_subject_access"),
    path("carers/<int:carer_id>/erase/", views_data_rights.carer_erase_page, name="carer_erase"),
]
