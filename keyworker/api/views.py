"""API v1 views: scoped reads through the selectors, writes through the services, nothing else."""

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from keyworker.accounts.access import Actor
from keyworker.accounts.models import ApiToken, StaffMember
from keyworker.accounts.selectors import staff_visible_to
from keyworker.accounts.tokens import ApiTokenAuthentication, api_token_issue, api_token_revoke
from keyworker.caseload import services as caseload_services
from keyworker.caseload.policies import require_allocate
from keyworker.caseload.selectors import staff_with_details, with_key_workers
from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.schema import ApiSchema
from keyworker.core.api.views import ReadViewSet, WriteViewSet
from keyworker.core.errors import RuleViolation
from keyworker.people import services as people_services
from keyworker.people.models import Family, KeyAspects, KeyAspectsRoute
from keyworker.people.policies import require_edit_key_aspects, require_manage_people
from keyworker.people.selectors import (
    carers_visible_to,
    children_visible_to,
    families_visible_to,
    family_search,
    key_aspect_history,
    with_household,
)

from . import serializers as s
from .selectors import allocations_visible_to, groups_visible_to, settings_visible_to


class SettingViewSet(ReadViewSet):
    """Settings (a school, a nursery…) you work in; all of the organisation's for organisation-wide roles."""

    serializer_class = s.SettingSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return settings_visible_to(actor).order_by("name", "id")


class ClassViewSet(ReadViewSet):
    """Classes (schools) and rooms (childcare) of the settings you work in."""

    serializer_class = s.ClassSerializer
    filter_serializer_class = s.ClassFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return groups_visible_to(actor).select_related("setting").order_by("setting__name", "name", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(setting_id=params["setting"]) if "setting" in params else queryset


class StaffViewSet(ReadViewSet):
    """Staff of your organisation, with their roles per setting, class teams and current caseload size."""

    serializer_class = s.StaffSerializer
    filter_serializer_class = s.StaffFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return staff_with_details(staff_visible_to(actor)).order_by("user__full_name", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(is_active=params["active"]) if "active" in params else queryset


class ChildViewSet(WriteViewSet):
    """Children you may see. Creating and editing needs the people.manage capability in the child's setting."""

    serializer_class = s.ChildSerializer
    filter_serializer_class = s.ChildFilterSerializer
    rule_field_names = {"group": "class"}

    def visible(self, actor: Actor) -> QuerySet:
        return children_visible_to(actor).select_related("key_aspects")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"family": "family_id", "setting": "setting_id", "class": "group_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def require_write(self, instance: Model | None) -> None:
        require_manage_people(self.actor, instance.setting_id if instance is not None else None)

    # Each answer carries the children's key aspects (medical needs, allergies): every read is logged.
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        people_services.key_aspects_access_record(actor=self.actor, children=page, route=KeyAspectsRoute.LIST)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        people_services.key_aspects_access_record(actor=self.actor, children=[child], route=KeyAspectsRoute.API)
        return Response(self.get_serializer(child).data)

    def refetch(self, obj: Model) -> Model:
        child = super().refetch(obj)
        people_services.key_aspects_access_record(actor=self.actor, children=[child], route=KeyAspectsRoute.API)
        return child

    def write(self, instance: Model | None, data: dict[str, Any], version: int | None = None) -> Model:
        if instance is None:
            return people_services.child_create(actor=self.actor, **data)
        return people_services.child_update(actor=self.actor, child=instance, expected_version=version, **data)

    def conflict_current(self, record: Model) -> Any:
        if isinstance(record, KeyAspects):
            return s.KeyAspectsSerializer(record).data
        return super().conflict_current(record)

    @extend_schema(methods=["GET"], responses=s.KeyAspectsSerializer, summary="A child's key aspects")
    @extend_schema(
        methods=["PATCH"], request=s.KeyAspectsUpdateSerializer, responses=s.KeyAspectsSerializer,
        summary="Change key aspects (each change is recorded: who, when, before, after)",
    )
    @action(detail=True, methods=["get", "patch"], url_path="key-aspects", pagination_class=None)
    def key_aspects(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        if request.method == "PATCH":
            require_edit_key_aspects(self.actor, child.setting_id)
            serializer = s.KeyAspectsUpdateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            changes = dict(serializer.validated_data)
            version = changes.pop("version")
            people_services.key_aspects_update(actor=self.actor, child=child, changes=changes, expected_version=version)
        aspects = KeyAspects.objects.filter(child=child).first() or KeyAspects(child=child)
        people_services.key_aspects_access_record(actor=self.actor, children=[child], route=KeyAspectsRoute.API)
        return Response(s.KeyAspectsSerializer(aspects).data)

    @extend_schema(responses=s.KeyAspectChangeSerializer(many=True), summary="History of a child's key aspects")
    @action(detail=True, methods=["get"], url_path="key-aspect-changes")
    def key_aspect_changes(self, request: Request, pk: str | None = None) -> Response:
        child = self.get_object()
        page = self.paginate_queryset(key_aspect_history(child))
        return self.get_paginated_response(s.KeyAspectChangeSerializer(page, many=True).data)


class FamilyViewSet(WriteViewSet):
    """Families (households) you may see, with children, carers and current key workers."""

    serializer_class = s.FamilySerializer
    filter_serializer_class = s.FamilyFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return with_key_workers(with_household(families_visible_to(actor))).order_by("name", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return family_search(queryset, params.get("search", ""))

    def require_write(self, instance: Model | None) -> None:
        require_manage_people(self.actor)

    def write(self, instance: Model | None, data: dict[str, Any], version: int | None = None) -> Model:
        if instance is None:
            return people_services.family_create(actor=self.actor, **data)
        return people_services.family_update(actor=self.actor, family=instance, expected_version=version, **data)

    def refetch(self, obj: Model) -> Model:
        # A family with no children yet is outside a setting-wide scope; show the caller what they saved.
        return with_key_workers(with_household(Family.objects.filter(pk=obj.pk, organisation_id=obj.organisation_id))).get()


class CarerViewSet(WriteViewSet):
    """Carers of the families you may see."""

    serializer_class = s.CarerSerializer
    filter_serializer_class = s.CarerFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return carers_visible_to(actor).order_by("family_id", "contact_order", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(family_id=params["family"]) if "family" in params else queryset

    def require_write(self, instance: Model | None) -> None:
        require_manage_people(self.actor)

    def write(self, instance: Model | None, data: dict[str, Any], version: int | None = None) -> Model:
        if instance is None:
            return people_services.carer_create(actor=self.actor, **data)
        return people_services.carer_update(actor=self.actor, carer=instance, expected_version=version, **data)


ALLOCATION_RULES = (
    "Refusals by the allocation rules are 400 with the rule's code in `rule`, e.g. class_team (not on the class "
    "team of any of the family's children), teacher_for_child_protection (a child has child-protection status, "
    "so the key worker must be a teacher), eligible_role, no_child_in_setting, staff_left, unchanged, reason."
)


@extend_schema_view(
    assign=extend_schema(
        request=s.AssignSerializer, responses={201: s.AllocationSerializer},
        summary="Make a staff member the family's key worker in a setting", description=ALLOCATION_RULES,
    ),
    reassign=extend_schema(
        request=s.ReassignSerializer, responses={201: s.AllocationSerializer},
        summary="Hand a current allocation to another staff member (ends it, creates a new one)",
        description=ALLOCATION_RULES,
    ),
    end=extend_schema(
        request=s.EndSerializer, responses={200: s.AllocationSerializer},
        summary="End an allocation; the family has no key worker in that setting until one is assigned",
    ),
)
class AllocationViewSet(ReadViewSet):
    """Key worker allocations (current and past) of the families you may see; changed only by the actions."""

    serializer_class = s.AllocationSerializer
    filter_serializer_class = s.AllocationFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return allocations_visible_to(actor).select_related("family", "staff__user", "allocated_by", "ended_by")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"family": "family_id", "staff": "staff_id", "setting": "setting_id"}
        queryset = queryset.filter(**{lookups[k]: v for k, v in params.items() if k in lookups})
        if "current" in params:
            queryset = queryset.filter(ends_at__isnull=params["current"])
        return queryset

    def _input(self, serializer_class: type[BaseSerializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _respond(self, allocation: Model, code: int) -> Response:
        return Response(s.AllocationSerializer(self.refetch(allocation)).data, status=code)

    @action(detail=False, methods=["post"])
    def assign(self, request: Request) -> Response:
        require_allocate(self.actor)
        data = self._input(s.AssignSerializer)
        allocation = caseload_services.allocation_assign(actor=self.actor, **data)
        return self._respond(allocation, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        current = self.get_object()
        require_allocate(self.actor, current.setting_id)
        if not current.is_current:
            raise RuleViolation("This allocation has already ended: assign a key worker instead.", rule="ended")
        data = self._input(s.ReassignSerializer)
        allocation = caseload_services.allocation_assign(
            actor=self.actor, family=current.family, setting=current.setting, **data
        )
        return self._respond(allocation, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        allocation = self.get_object()
        require_allocate(self.actor, allocation.setting_id)
        data = self._input(s.EndSerializer)
        caseload_services.allocation_end(actor=self.actor, allocation=allocation, reason=data["reason"])
        return self._respond(allocation, status.HTTP_200_OK)


class MeView(APIView):
    """Who is signed in, the organisation this request acts in, their roles and capabilities."""

    schema = ApiSchema()

    @extend_schema(responses=s.MeSerializer, summary="Who am I")
    def get(self, request: Request) -> Response:
        actor = request_actor(request)
        memberships = (
            StaffMember.objects.filter(user=actor.user, is_active=True)
            .select_related("organisation")
            .order_by("organisation__name", "id")
        )
        me = {
            "user": actor.user.pk, "name": actor.user.full_name, "email": actor.user.email,
            "staff": actor.staff.pk, "job_title": actor.staff.job_title, "organisation": actor.organisation,
            "organisations": [m.organisation for m in memberships], "roles": actor.roles,
            "capabilities": sorted(actor.capabilities()),
            "settings": [
                {"id": setting.pk, "name": setting.name, "capabilities": sorted(actor.capabilities(setting.pk))}
                for setting in actor.settings()
            ],
        }
        return Response(s.MeSerializer(me).data)


class TokenView(APIView):
    """API tokens: send `Authorization: Token <token>` with each request."""

    schema = ApiSchema()
    public_methods = ("POST",)
    acts_in_organisation = False
    authentication_classes = [ApiTokenAuthentication]

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=s.TokenObtainSerializer, responses={200: s.TokenSerializer}, auth=[], summary="Get a token",
        description=("Exchange your e-mail address and password (and, if you have a second factor, a code as `otp`) "
                     "for a new API token. Each call gives a new token; it expires after KEYWORKER_API_TOKEN_HOURS "
                     "hours (8 by default), when your password changes, or when you sign out everywhere. Only a token "
                     "issued with `otp` reads restricted records, for 15 minutes."),
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenObtainSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        now = clock.now()
        token, key = api_token_issue(user=data["user"], name=data.get("name") or "API token",
                                     second_factor_at=now if data["device"] is not None else None, now=now)
        return Response(s.TokenSerializer({"token": key, "name": token.name, "expires_at": token.expires_at,
                                           "second_factor_at": token.second_factor_at}).data)

    @extend_schema(
        request=None, responses={204: None}, summary="Revoke this token",
        description="Revoke the token sent with this request; your other tokens keep working (see your account page).",
    )
    def delete(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            api_token_revoke(user=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under /api/v1/: a JSON 404 rather than the site's HTML page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise NotFound()
