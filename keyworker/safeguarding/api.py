"""API v1 routes of the safeguarding app: `register(router)` adds its viewsets; `urlpatterns` any other paths."""

urlpatterns: list = []


def register(router) -> None:
    return None
