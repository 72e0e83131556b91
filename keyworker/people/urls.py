from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("new/", views.family_add, name="family_add"),
    path("<int:family_id>/edit/", views.family_edit, name="family_edit"),
    path("<int:family_id>/carers/new/", views.carer_add, name="carer_add"),
    path("<int:family_id>/children/new/", views.child_add, name="child_add"),
    path("carers/<int:carer_id>/edit/", views.carer_edit, name="carer_edit"),
    path("children/<int:child_id>/", views.child_detail, name="child"),
    path("children/<int:child_id>/edit/", views.child_edit, name="child_edit"),
    path("children/<int:child_id>/key-aspects/", views.key_aspects_edit, name="key_aspects_edit"),
]
