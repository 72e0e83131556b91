"""Pages of the celebrations app."""

app_name = "celebrations"

urlpatterns: list = []
