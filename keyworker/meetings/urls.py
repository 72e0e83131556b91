"""Staff pages for meetings, under /meetings/."""

app_name = "meetings"

urlpatterns: list = []
