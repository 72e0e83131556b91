"""API v1 routes of the transitions app (SCH-10): transition plans (list, one, create, change, share the dates, add a
visit) and visits (list, one, write up and share). Reads are scoped to the families the caller may see (404
outside); writes go through the services; every refusal names its field."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID, BlankableModelSerializer
from keyworker.core.api.views import ReadViewSet

from . import policies, selectors, services
from .models import TEXT_MAX, TransitionDatesShare, TransitionPlan, TransitionVisit

urlpatterns: list = []


def _fields(call):
    """A service's refusal of several answers, each under its field (a 400 with a message per field)."""
    try:
        return call()
    except services.FieldErrors as exc:
        raise serializers.ValidationError(exc.as_dict()) from exc


class VisitSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    staff = serializers.SerializerMethodField(help_text="The ids of the staff going.")
    written_by = serializers.CharField(source="written_by.user.full_name", read_only=True, default="")
    shared_by = serializers.CharField(source="shared_by.user.full_name", read_only=True, default="")

    class Meta:
        model = TransitionVisit
        fields = ["id", "plan", "child", "starts_at", "ends_at", "place", "staff", "write_up", "written_at", "written_by",
                  "shared_at", "shared_on", "shared_by"]
        read_only_fields = fields

    def get_staff(self, visit) -> list[int]:
        return [s.pk for s in visit.staff.all()]


class ShareSerializer(serializers.ModelSerializer):
    shared_by = serializers.CharField(source="shared_by.user.full_name", read_only=True, default="")

    class Meta:
        model = TransitionDatesShare
        fields = ["id", "shared_at", "shared_on", "shared_by", "dates"]
        read_only_fields = fields


class PlanSerializer(BlankableModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    warning = serializers.SerializerMethodField(help_text="Set when the child is not in a leaving year.")
    visits = VisitSerializer(many=True, read_only=True)
    shares = ShareSerializer(many=True, read_only=True, help_text="Each time the visit dates were shared with the family.")

    class Meta:
        model = TransitionPlan
        fields = ["id", "child", "child_name", "family", "setting", "destination_school", "destination_contact",
                  "destination_phone", "destination_email", "family_notes", "warning", "visits", "shares", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_warning(self, plan) -> str:
        return selectors.leaving_warning(plan.child)


class PlanWriteSerializer(serializers.Serializer):
    destination_school = serializers.CharField(max_length=200, required=False, allow_blank=True)
    destination_contact = serializers.CharField(max_length=200, required=False, allow_blank=True)
    destination_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    destination_email = serializers.EmailField(required=False, allow_blank=True)
    family_notes = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class PlanCreateSerializer(PlanWriteSerializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A pupil of your school.")
    destination_school = serializers.CharField(max_length=200)


class VisitCreateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    staff = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list)


class WriteUpSerializer(serializers.Serializer):
    write_up = serializers.CharField(max_length=TEXT_MAX)
    share = serializers.BooleanField(default=False, help_text="Share it with the family now.")


class PlanFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    setting = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


def _visits_prefetch() -> Prefetch:
    return Prefetch("visits", queryset=TransitionVisit.objects.select_related("written_by__user", "shared_by__user")
                    .prefetch_related("staff").order_by("starts_at", "id"))


@extend_schema_view(
    create=extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer},
                         summary="Plan a leaving pupil's transition",
                         description="A pupil of your school (field child otherwise). A child not in a leaving year is "
                                     "allowed: the answer carries a warning."),
    partial_update=extend_schema(request=PlanWriteSerializer, responses={200: PlanSerializer},
                                 summary="Change the plan's destination or what the family needs to know"),
    share_dates=extend_schema(request=None, responses={200: PlanSerializer},
                              summary="Share the visit dates with the family (SCH-10, before the first visit)"),
    add_visit=extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer},
                            summary="Add a visit to the destination school (never in the past; ends after it starts)"),
)
class TransitionPlanViewSet(ReadViewSet):
    """Transition plans (SCH-10) of the leaving pupils you may see."""

    serializer_class = PlanSerializer
    filter_serializer_class = PlanFilterSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        return (selectors.plans_visible_to(actor).select_related("child__group")
                .prefetch_related(_visits_prefetch(), Prefetch("shares", queryset=TransitionDatesShare.objects
                                                               .select_related("shared_by__user").order_by("shared_at")))
                .order_by("setting_id", "child__legal_last_name", "id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "setting": "setting_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        child = selectors.school_child(self.actor, values.pop("child"))
        plan = _fields(lambda: services.transition_plan_create(actor=self.actor, child=child, data=values))
        return Response(PlanSerializer(self.refetch(plan)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        policies.require_edit(self.actor, plan.setting_id)
        data = PlanWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        _fields(lambda: services.transition_plan_update(actor=self.actor, plan=plan, data=dict(data.validated_data)))
        return Response(PlanSerializer(self.refetch(plan)).data)

    @action(detail=True, methods=["post"], url_path="share-dates")
    def share_dates(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        policies.require_edit(self.actor, plan.setting_id)
        services.transition_dates_share(actor=self.actor, plan=plan)
        return Response(PlanSerializer(self.refetch(plan)).data)

    @action(detail=True, methods=["post"], url_path="visits")
    def add_visit(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        policies.require_edit(self.actor, plan.setting_id)
        data = VisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        visit = _fields(lambda: services.transition_visit_add(actor=self.actor, plan=plan, starts_at=v["starts_at"],
                                                              ends_at=v["ends_at"], place=v["place"], staff_ids=v["staff"]))
        visit = selectors.visits_visible_to(self.actor).prefetch_related("staff").get(pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitFilterSerializer(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema_view(
    write_up=extend_schema(request=WriteUpSerializer, responses={200: VisitSerializer},
                           summary="Record how the visit went, and share it with the family (SCH-10)",
                           description="Only once the visit has started (field write_up otherwise)."),
)
class TransitionVisitViewSet(ReadViewSet):
    """Transition visits and their write-ups, of the leaving pupils you may see."""

    serializer_class = VisitSerializer
    filter_serializer_class = VisitFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (selectors.visits_visible_to(actor).select_related("written_by__user", "shared_by__user")
                .prefetch_related("staff").order_by("starts_at", "id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"plan": "plan_id", "child": "child_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @action(detail=True, methods=["post"], url_path="write-up")
    def write_up(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        data = WriteUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = services.transition_write_up_save_and_share if data.validated_data["share"] else services.transition_write_up_save
        call(actor=self.actor, visit=visit, text=data.validated_data["write_up"])
        return Response(VisitSerializer(self.refetch(visit)).data)


def register(router) -> None:
    router.register("transition-plans", TransitionPlanViewSet, basename="transition-plan")
    router.register("transition-visits", TransitionVisitViewSet, basename="transition-visit")
