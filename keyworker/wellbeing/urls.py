"""Pages of the wellbeing app."""

app_name = "wellbeing"

urlpatterns: list = []
