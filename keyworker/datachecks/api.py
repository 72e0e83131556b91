"""API v1 routes of the datachecks app: data checks (list, one, record the carer's confirmation, the admin
office's confirmation) and corrections (list, apply, reject). Reads are scoped; writes go through the services."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Carer, Child
from keyworker.people.selectors import carers_visible_to, children_visible_to

from . import policies, services
from .models import STAFF_METHODS, CheckState, Correction, CorrectionState, DataCheck
from .selectors import checks_visible_to, corrections_visible_to

urlpatterns: list = []


class CorrectionSerializer(serializers.ModelSerializer):
    data_check = serializers.IntegerField(source="data_check_id", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    carer = serializers.IntegerField(source="carer_id", read_only=True, allow_null=True)
    key = serializers.CharField(read_only=True, help_text='The field key, e.g. "carer.12.phone".')
    proposed_shown = serializers.CharField(read_only=True, help_text="The proposed value as it reads on screen.")
    proposed_by = serializers.CharField(source="proposed_by.user.full_name", read_only=True, default="")
    proposed_by_carer = serializers.IntegerField(source="proposed_by_carer_id", read_only=True, allow_null=True,
                                                 help_text="The carer who proposed it in the carers' portal, if they did.")
    decided_by = serializers.CharField(source="decided_by.user.full_name", read_only=True, default="")

    class Meta:
        model = Correction
        fields = ["id", "data_check", "child", "target", "carer", "field", "key", "label", "current_value", "proposed_value",
                  "proposed_shown", "note", "state", "proposed_by", "proposed_by_carer", "proposed_at", "decided_by", "decided_at", "reason"]
        read_only_fields = fields


class DataCheckSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    half_term = serializers.IntegerField(source="half_term_id", read_only=True)
    half_term_name = serializers.CharField(source="half_term.name", read_only=True)
    class_id = serializers.IntegerField(source="child.group_id", read_only=True, allow_null=True)
    carer = serializers.IntegerField(source="carer_id", read_only=True, allow_null=True)
    carer_recorded_by = serializers.CharField(source="carer_recorded_by.user.full_name", read_only=True, default="")
    admin_confirmed_by = serializers.CharField(source="admin_confirmed_by.user.full_name", read_only=True, default="")
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = DataCheck
        fields = ["id", "child", "child_name", "family", "setting", "class_id", "half_term", "half_term_name", "state",
                  "carer", "carer_name", "carer_method", "carer_confirmed_on", "carer_all_correct", "carer_note",
                  "carer_recorded_by", "admin_confirmed_at", "admin_confirmed_by", "admin_note", "completed_on",
                  "snapshot", "corrections"]
        read_only_fields = fields


class DataCheckFilterSerializer(serializers.Serializer):
    half_term = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Only this half term's checks.")
    class_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Only this class's children.")
    state = serializers.ChoiceField(required=False, choices=CheckState.choices)
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class DifferenceSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=60, help_text='What is different, e.g. "carer.12.phone", "key_aspects.allergies", '
                                  '"child.date_of_birth"; the check\'s snapshot lists the keys.')
    proposed_value = serializers.CharField(max_length=2000, allow_blank=True, help_text="What it should be ('' to remove it).")
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class CarerConfirmationSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=children_visible_to)
    carer = ScopedRecordField(model=Carer, scope=carers_visible_to, help_text="One of the child's carers, not one with a no-contact restriction.")
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in STAFF_METHODS])
    confirmed_on = serializers.DateField(input_formats=["iso-8601"], help_text="The day the carer checked the data (in a half term).")
    all_correct = serializers.BooleanField()
    differences = DifferenceSerializer(many=True, required=False, default=list)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class AdminConfirmationSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class CorrectionFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(required=False, choices=CorrectionState.choices)
    data_check = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX)


def _checks(actor: Actor) -> QuerySet[DataCheck]:
    return (
        checks_visible_to(actor)
        .select_related("child", "half_term", "carer_recorded_by__user", "admin_confirmed_by__user")
        .prefetch_related("corrections__proposed_by__user", "corrections__decided_by__user")
        .order_by("-half_term__starts_on", "child__legal_last_name", "child__legal_first_name", "id")
    )


@extend_schema_view(
    create=extend_schema(
        request=CarerConfirmationSerializer, responses={201: DataCheckSerializer},
        summary="Record a carer's confirmation of a child's data, all correct or with differences",
        description="Any staff member who may see the child. The check of the half term holding confirmed_on is made if "
                    "needed; a second carer's confirmation for the same half term is refused (rule already_confirmed). "
                    "Each difference becomes a proposed correction for the admin office; errors name the difference, "
                    "e.g. differences.0.proposed_value.",
    ),
    admin_confirm=extend_schema(
        request=AdminConfirmationSerializer, responses={200: DataCheckSerializer},
        summary="The admin office confirms the data: the check is complete",
        description="Staff who manage people (403 otherwise), after the carer's confirmation (rule carer_first) and "
                    "a decision on every correction (rule corrections_waiting). SCH-2 is met in the same request.",
    ),
)
class DataCheckViewSet(ReadViewSet):
    """Half-termly data checks (SCH-2) of the children you may see: one per child per half term."""

    serializer_class = DataCheckSerializer
    filter_serializer_class = DataCheckFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return _checks(actor)

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"half_term": "half_term_id", "class_id": "child__group_id", "state": "state", "child": "child_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CarerConfirmationSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        d = data.validated_data
        check = services.datacheck_carer_confirm(
            actor=self.actor, child=d["child"], carer=d["carer"], method=d["method"], confirmed_on=d["confirmed_on"],
            all_correct=d["all_correct"], note=d["note"],
            differences=[services.Difference(x["field"], x["proposed_value"], x.get("note", "")) for x in d["differences"]],
        )
        return Response(DataCheckSerializer(self.refetch(check)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="admin-confirm")
    def admin_confirm(self, request: Request, pk: str | None = None) -> Response:
        check = self.get_object()
        policies.require_correct(self.actor, check.setting_id)
        data = AdminConfirmationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.datacheck_admin_confirm(actor=self.actor, check=check, note=data.validated_data["note"])
        return Response(DataCheckSerializer(self.refetch(check)).data)


@extend_schema_view(
    apply=extend_schema(request=None, responses={200: CorrectionSerializer},
                        summary="Apply a proposed correction: the record changes, in its history as from the data check",
                        description="Staff who manage people (403 otherwise). Refused when already decided (already_decided)."),
    reject=extend_schema(request=RejectSerializer, responses={200: CorrectionSerializer},
                         summary="Reject a proposed correction, with a reason"),
)
class CorrectionViewSet(ReadViewSet):
    """Corrections carers proposed in data checks, for the admin office to apply or reject."""

    serializer_class = CorrectionSerializer
    filter_serializer_class = CorrectionFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (
            corrections_visible_to(actor).select_related("data_check", "proposed_by__user", "decided_by__user")
            .order_by("proposed_at", "id")
        )

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"state": "state", "data_check": "data_check_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        correction = self.get_object()
        policies.require_correct(self.actor, correction.data_check.setting_id)
        services.correction_apply(actor=self.actor, correction=correction)
        return Response(CorrectionSerializer(self.refetch(correction)).data)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        correction = self.get_object()
        policies.require_correct(self.actor, correction.data_check.setting_id)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.correction_reject(actor=self.actor, correction=correction, reason=data.validated_data["reason"])
        return Response(CorrectionSerializer(self.refetch(correction)).data)


def register(router) -> None:
    router.register("data-checks", DataCheckViewSet, basename="data-check")
    router.register("data-check-corrections", CorrectionViewSet, basename="data-check-correction")
