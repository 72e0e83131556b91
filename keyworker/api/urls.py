"""API v1 routes; any other path under /api/v1/ is a JSON 404.

The records layer's resources are defined here; each domain app adds its own when it starts (core's API routes
registry), so this module names no app.
"""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from keyworker.core.api.routes import api_routes

from . import views, views_organisations, views_standards
from .docs import RedocDocsView, SwaggerDocsView
from .schema import CachedSchemaView

app_name = "api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("organisations", views_organisations.OrganisationViewSet, basename="organisation")
router.register("settings", views.SettingViewSet, basename="setting")
router.register("classes", views.ClassViewSet, basename="class")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("children", views.ChildViewSet, basename="child")
router.register("families", views.FamilyViewSet, basename="family")
router.register("carers", views.CarerViewSet, basename="carer")
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("policies", views_standards.PolicyViewSet, basename="policy")
router.register("standards", views_standards.StandardViewSet, basename="standard")
router.register("obligations", views_standards.ObligationViewSet, basename="obligation")

# Each app's registered API adds its viewsets and paths.
APP_ROUTES = api_routes()
for _routes in APP_ROUTES:
    _routes.register(router)

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("compliance/", views_standards.ComplianceView.as_view(), name="compliance"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("schema/", CachedSchemaView.as_view(), name="schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocDocsView.as_view(url_name="api:schema"), name="redoc"),
    *[p for _routes in APP_ROUTES for p in _routes.urlpatterns],
    *router.urls,
    re_path(r"^", views.NotFoundView.as_view(), name="not-found"),
]
