"""Staff pages of the care app, under /care/."""

app_name = "care"

urlpatterns: list = []
