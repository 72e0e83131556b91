"""Staff pages of the care app, under /care/."""

app_name = "care"

urlpatterns: list = []

# Personal care plans
from .plans_views import urlpatterns as plans_urlpatterns  # noqa: E402

urlpatterns += plans_urlpatterns
