"""Organisations: the installation's administrator lists and adds them; a member of staff lists their own."""

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.installation_forms import OrganisationAddForm
from keyworker.accounts.installation_services import is_installation_admin, organisation_open
from keyworker.accounts.models import StaffMember
from keyworker.core.api.errors import error_body
from keyworker.core.api.permissions import IsStaffMember
from keyworker.core.api.views import ApiViewSet
from keyworker.organisations.models import Organisation, Setting

from . import serializers_organisations as s

ADMIN_ONLY = "Only the installation's administrator adds organisations."


class IsStaffMemberOrInstallationAdmin(IsStaffMember):
    message = "You are not a member of staff of any organisation, nor the installation's administrator."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_installation_admin(request.user) or super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(summary="Organisations: every one for the installation's administrator, else your own"),
    retrieve=extend_schema(summary="An organisation"),
    create=extend_schema(
        request=s.OrganisationCreateSerializer, responses={201: s.OrganisationCreatedSerializer},
        summary="Add an organisation (the installation's administrator only)",
        description=("Creates the organisation with its default roles, its first setting, and its first leader "
                     "(headteacher of a school, manager otherwise), who is e-mailed a link to choose a password. "
                     "Each field is checked as on the installation's page; every problem is reported at once, per "
                     "field. Anyone else gets 403."),
    ),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = s.OrganisationSerializer
    acts_in_organisation = False

    def get_permissions(self) -> list[BasePermission]:
        return [IsStaffMemberOrInstallationAdmin()]

    def get_serializer_class(self) -> type:
        return s.OrganisationCreateSerializer if self.action == "create" else s.OrganisationSerializer

    def visible(self, actor: Any) -> QuerySet:
        organisations = Organisation.objects.order_by("name", "id")
        if is_installation_admin(self.request.user):
            return organisations
        return organisations.filter(pk__in=StaffMember.objects.filter(user=self.request.user, is_active=True)
                                    .values("organisation_id"))

    def _with_settings(self, organisations: list[Organisation]) -> dict[str, Any]:
        settings: dict[int, list[Setting]] = defaultdict(list)
        for setting in Setting.objects.filter(organisation_id__in=[o.pk for o in organisations]).order_by("name", "id"):
            settings[setting.organisation_id].append(setting)
        return {**self.get_serializer_context(), "settings": settings}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = list(self.paginate_queryset(self.get_queryset()))
        return self.get_paginated_response(s.OrganisationSerializer(page, many=True, context=self._with_settings(page)).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organisation = self.get_object()
        return Response(s.OrganisationSerializer(organisation, context=self._with_settings([organisation])).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not is_installation_admin(request.user):
            raise PermissionDenied(ADMIN_ONLY)
        # The page's form: the same fields and the same rules, every problem at once.
        data = request.data if hasattr(request.data, "getlist") else {k: v for k, v in request.data.items()
                                                                       if isinstance(v, str)}
        form = OrganisationAddForm(data=data)
        if not form.is_valid():
            found = form.errors.get_json_data()
            errors = {f: [e["message"] for e in errs] for f, errs in found.items()}
            codes = {f: [e["code"] or "invalid" for e in errs] for f, errs in found.items()}
            return Response(error_body(errors, codes), status=status.HTTP_400_BAD_REQUEST)
        d = form.cleaned_data
        opened = organisation_open(
            by=request.user, name=d["name"], slug=d["slug"], setting_name=d["setting_name"], kind=d["kind"],
            jurisdiction=d["jurisdiction"], time_zone=d["time_zone"], leader_name=d["leader_name"],
            leader_email=d["leader_email"],
        )
        organisation = opened.organisation
        body = {
            **s.OrganisationSerializer(organisation, context=self._with_settings([organisation])).data,
            "leader": {"staff": opened.leader.pk, "name": opened.leader.user.full_name,
                       "email": opened.leader.user.email, "role": opened.role.code,
                       "password_link_sent": opened.link_sent},
        }
        return Response(body, status=status.HTTP_201_CREATED)
