from django.urls import path

from . import views

app_name = "caseload"
urlpatterns = [
    path("", views.allocation, name="allocation"),
    path("everyone/", views.allocate_everyone, name="allocate_everyone"),
    path("families/<int:family_id>/", views.family_allocation, name="family"),
    path("allocations/<int:allocation_id>/end/", views.allocation_end, name="end"),
    path("staff/<int:staff_id>/reassign/", views.caseload_reassign, name="reassign_caseload"),
]
