"""Pages of the briefings app."""

app_name = "briefings"

urlpatterns: list = []
