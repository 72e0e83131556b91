"""Pages of the datachecks app."""

app_name = "datachecks"

urlpatterns: list = []
