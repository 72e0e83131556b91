"""Pages of the celebrations app: record, list, one celebration (share, void), positivity and its rule."""

from django.urls import path

from . import views

app_name = "celebrations"

urlpatterns = [
    path("", views.celebration_list, name="list"),
    path("new/", views.celebration_new, name="new"),
    path("positivity/", views.positivity_overview, name="positivity"),
    path("positivity/rule/", views.positivity_rule_view, name="positivity_rule"),
    path("<int:celebration_id>/", views.celebration_detail, name="detail"),
    path("<int:celebration_id>/share/", views.celebration_share_view, name="share"),
    path("<int:celebration_id>/void/", views.celebration_void_view, name="void"),
]
