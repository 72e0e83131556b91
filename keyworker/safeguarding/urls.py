"""Pages of the safeguarding app."""

app_name = "safeguarding"

urlpatterns: list = []
