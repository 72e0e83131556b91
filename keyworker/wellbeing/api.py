"""API v1 routes of the wellbeing app: `register(router)` adds its viewsets; `urlpatterns` any other paths."""

urlpatterns: list = []


def register(router) -> None:
    return None
