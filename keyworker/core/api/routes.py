"""The registry of each app's API routes: an app adds its viewsets and paths when it starts.

An app's `apps.py` calls `register_api_routes(ApiRoutes("contacts", api.register, api.urlpatterns))` in `ready()`;
the API root (`keyworker/api/urls.py`) builds /api/v1/ from every registration, in the order the apps start
(INSTALLED_APPS), so no module lists the apps.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rest_framework.routers import BaseRouter


@dataclass(frozen=True)
class ApiRoutes:
    code: str                                        # the app's label
    register: Callable[[BaseRouter], None]           # adds the app's viewsets to the router
    urlpatterns: Sequence[Any] = field(default=())   # paths of its own (views that are not viewsets)


_ROUTES: dict[str, ApiRoutes] = {}


def register_api_routes(routes: ApiRoutes) -> None:
    """Add (or replace) an app's routes; registering twice keeps one."""
    _ROUTES[routes.code] = routes


def api_routes() -> list[ApiRoutes]:
    """Every app's routes, in the order the apps registered them."""
    return list(_ROUTES.values())
