"""Pages of the attendance app."""

app_name = "attendance"

urlpatterns: list = []
