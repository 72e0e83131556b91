"""Staff pages of the care app, under /care/."""

app_name = "care"

urlpatterns: list = []

from django.urls import path  # noqa: E402

from . import monitoring_views  # noqa: E402

urlpatterns += [
    path("monitoring/", monitoring_views.index_view, name="monitoring_index"),
    path("monitoring/<int:setting_id>/", monitoring_views.setting_view, name="monitoring"),
    path("monitoring/<int:setting_id>/samples/", monitoring_views.sample_start_view, name="monitoring_sample_start"),
    path("monitoring/samples/<int:sample_id>/", monitoring_views.sample_view, name="monitoring_sample"),
    path("monitoring/samples/<int:sample_id>/items/<int:item_id>/score/", monitoring_views.item_score_view,
         name="monitoring_item_score"),
    path("monitoring/samples/<int:sample_id>/sign-off/", monitoring_views.sign_off_view, name="monitoring_sign_off"),
    path("monitoring/findings/<int:finding_id>/", monitoring_views.finding_view, name="monitoring_finding"),
    path("monitoring/findings/<int:finding_id>/acknowledge/", monitoring_views.finding_acknowledge_view,
         name="monitoring_finding_acknowledge"),
]
# Personal care plans
from .plans_views import urlpatterns as plans_urlpatterns  # noqa: E402

urlpatterns += plans_urlpatterns
