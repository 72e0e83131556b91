"""API v1 routes of the manager's monitoring (CC-M3): a setting's monitoring rows (read), quality samples (list,
one, start, score a record, sign off) and findings (list, one, acknowledge). Reads are scoped to the settings the
caller monitors (and a key person's own findings); writes go through the services."""

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.errors import error_body
from keyworker.core.api.fields import MAX_ID
from keyworker.core.api.schema import ApiSchema
from keyworker.core.api.views import ReadViewSet

from . import monitoring_selectors as selectors
from . import monitoring_services as services
from .models_monitoring import MonitoringFinding, MonitoringItem, MonitoringSample, Score
from .monitoring_selectors import RANDOM_SAMPLE_MAX


def _field_errors(exc: services.FieldErrors) -> Response:
    return Response(error_body(exc.as_dict(), {k: [exc.rule] for k in exc.errors}, exc.rule),
                    status=status.HTTP_400_BAD_REQUEST)


# The monitoring rows of a setting ----------------------------------------------------------------------------------


class MonitoringRowSerializer(serializers.Serializer):
    child = serializers.IntegerField(source="child.pk")
    child_name = serializers.CharField(source="child.display_name")
    kind = serializers.CharField(source="source.kind")
    label = serializers.CharField(source="source.label")
    key_person = serializers.IntegerField(source="key_person.pk", allow_null=True, default=None)
    key_person_name = serializers.CharField(source="key_person.user.full_name", allow_null=True, default=None)
    up_to_date = serializers.BooleanField(source="record.up_to_date")
    last_updated = serializers.DateField(source="record.last_updated", allow_null=True)
    last_reviewed = serializers.DateField(source="record.last_reviewed", allow_null=True)
    next_due = serializers.DateField(source="record.next_due", allow_null=True)
    reason = serializers.CharField(source="record.reason")
    url = serializers.CharField(source="record.url")


class SourceCountSerializer(serializers.Serializer):
    kind = serializers.CharField(source="source.kind")
    label = serializers.CharField(source="source.label")
    total = serializers.IntegerField()
    out_of_date = serializers.IntegerField()


class OverdueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    clause = serializers.CharField(source="standard.clause")
    title = serializers.CharField(source="standard.title")
    state = serializers.CharField()
    due_on = serializers.DateField()
    child = serializers.IntegerField(source="child_id", allow_null=True)
    family = serializers.IntegerField(source="family_id", allow_null=True)
    responsible_staff = serializers.IntegerField(source="responsible_staff_id", allow_null=True)


class MonitoringViewSerializer(serializers.Serializer):
    setting = serializers.IntegerField(source="setting.pk")
    as_of = serializers.DateField()
    counts = SourceCountSerializer(many=True)
    rows = MonitoringRowSerializer(many=True, source="shown")
    overdue = OverdueSerializer(many=True)


class MonitoringFilterSerializer(serializers.Serializer):
    out_of_date = serializers.BooleanField(required=False, default=False, help_text="Only records not up to date")
    key_person = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    as_of = serializers.DateField(required=False, help_text="The day to look at (default: today in the setting)")


class MonitoringRowsView(APIView):
    schema = ApiSchema()

    @extend_schema(parameters=[MonitoringFilterSerializer], responses={200: MonitoringViewSerializer},
                   summary="The monitoring rows of a setting: every child and record kind, counts, overdue obligations",
                   description="Leaders of the setting only (404 otherwise, and for a setting of another organisation).")
    def get(self, request: Request, setting_id: int) -> Response:
        actor = request_actor(request)
        setting = selectors.access_monitored_setting(actor, setting_id)
        params = MonitoringFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        view = selectors.monitoring_view(setting, data.get("as_of") or clock.today(setting.time_zone),
                                         out_of_date_only=data["out_of_date"], key_person_id=data.get("key_person"))
        return Response(MonitoringViewSerializer(view).data)


urlpatterns = [
    path("monitoring/settings/<int:setting_id>/rows/", MonitoringRowsView.as_view(), name="monitoring-rows"),
]


# Samples ----------------------------------------------------------------------------------------------------------


class FindingBriefSerializer(serializers.ModelSerializer):
    staff = serializers.IntegerField(source="staff_id", read_only=True)
    staff_name = serializers.CharField(source="staff.user.full_name", read_only=True)

    class Meta:
        model = MonitoringFinding
        fields = ["id", "staff", "staff_name", "sent_at", "acknowledged_at"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    scores = serializers.DictField(child=serializers.CharField(), read_only=True)
    finding = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringItem
        fields = ["id", "child", "child_name", "kind", "label", "url", "scores", "comment", "scored_at", "finding"]
        read_only_fields = fields

    def get_finding(self, item: MonitoringItem) -> dict | None:
        finding = getattr(item, "finding", None)
        return FindingBriefSerializer(finding).data if finding is not None else None


class SampleSerializer(serializers.ModelSerializer):
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    started_by = serializers.CharField(source="started_by.user.full_name", read_only=True)
    signed_off_by = serializers.CharField(source="signed_off_by.user.full_name", read_only=True, default=None)
    rubric = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), read_only=True,
                                   help_text="The criteria: [code, label] pairs; each is scored good, needs_work or missing")
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = MonitoringSample
        fields = ["id", "setting", "month", "random", "rubric", "started_by", "started_at", "signed_off_by",
                  "signed_off_at", "signed_off_on", "items"]
        read_only_fields = fields


class SampleStartSerializer(serializers.Serializer):
    setting = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    records = serializers.ListField(child=serializers.RegexField(r"^[a-z_]{1,40}:\d{1,10}$"), required=False,
                                    max_length=RANDOM_SAMPLE_MAX,
                                    help_text="Records picked, each “<kind>:<child id>”, e.g. “journal:12”")
    random_size = serializers.IntegerField(required=False, min_value=1, max_value=RANDOM_SAMPLE_MAX,
                                           help_text="Or: this many records at random (the same all month)")

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("records") and attrs.get("random_size") is None:
            raise serializers.ValidationError({"records": ["Pick at least one record, or give random_size."]})
        if attrs.get("records") and attrs.get("random_size") is not None:
            raise serializers.ValidationError({"random_size": ["Give either records or random_size, not both."]})
        return attrs


class ScoreSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The sample's item (record) to score")
    scores = serializers.DictField(child=serializers.ChoiceField(choices=Score.choices),
                                   help_text="Criterion code -> good, needs_work or missing, for every criterion")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=services.COMMENT_MAX, default="")


class SampleFilterSerializer(serializers.Serializer):
    setting = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema_view(
    create=extend_schema(request=SampleStartSerializer, responses={201: SampleSerializer},
                         summary="Start a quality sample: records picked, or a random sample",
                         description="Leaders of the setting (404 otherwise); one sample in progress per setting "
                                     "(rule open_sample)."),
    score=extend_schema(request=ScoreSerializer, responses={200: SampleSerializer},
                        summary="Score one record of the sample against every criterion of its rubric",
                        description="A record not in the sample is refused (rule not_in_sample); a score other than "
                                    "good needs a comment."),
    sign_off=extend_schema(request=None, responses={200: SampleSerializer},
                           summary="Sign the sample off: findings go to each key person; meets CC-M3 for the month",
                           description="Every record must be scored first (rule unscored)."),
)
class SampleViewSet(ReadViewSet):
    """Quality samples of the settings you monitor (CC-M3)."""

    serializer_class = SampleSerializer
    filter_serializer_class = SampleFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.with_items(selectors.samples_visible_to(actor)).order_by("-month", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(setting_id=params["setting"]) if "setting" in params else queryset

    def _answer(self, sample: MonitoringSample, code: int = status.HTTP_200_OK) -> Response:
        return Response(SampleSerializer(self.get_queryset().get(pk=sample.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SampleStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        setting = selectors.access_monitored_setting(self.actor, data.validated_data["setting"])
        sample = services.sample_start(actor=self.actor, setting=setting, records=data.validated_data.get("records"),
                                       random_size=data.validated_data.get("random_size"))
        return self._answer(sample, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def score(self, request: Request, pk: str | None = None) -> Response:
        sample = self.get_object()
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.item_score(actor=self.actor, sample=sample, item_id=data.validated_data["item"],
                                scores=data.validated_data["scores"], comment=data.validated_data["comment"])
        except services.FieldErrors as exc:
            return _field_errors(exc)
        return self._answer(sample)

    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        sample = self.get_object()
        services.sample_sign_off(actor=self.actor, sample=sample)
        return self._answer(sample)


# Findings ---------------------------------------------------------------------------------------------------------


class FindingSerializer(serializers.ModelSerializer):
    staff = serializers.IntegerField(source="staff_id", read_only=True)
    staff_name = serializers.CharField(source="staff.user.full_name", read_only=True)
    sample = serializers.IntegerField(source="item.sample_id", read_only=True)
    setting = serializers.IntegerField(source="item.sample.setting_id", read_only=True)
    child = serializers.IntegerField(source="item.child_id", read_only=True)
    child_name = serializers.CharField(source="item.child.display_name", read_only=True)
    kind = serializers.CharField(source="item.kind", read_only=True)
    label = serializers.CharField(source="item.label", read_only=True)
    scores = serializers.DictField(source="item.scores", child=serializers.CharField(), read_only=True)
    comment = serializers.CharField(source="item.comment", read_only=True)

    class Meta:
        model = MonitoringFinding
        fields = ["id", "staff", "staff_name", "sample", "setting", "child", "child_name", "kind", "label", "scores",
                  "comment", "sent_at", "acknowledged_at"]
        read_only_fields = fields


class FindingFilterSerializer(serializers.Serializer):
    awaiting = serializers.BooleanField(required=False, help_text="Only findings not yet acknowledged")
    mine = serializers.BooleanField(required=False, help_text="Only the findings sent to you")


@extend_schema_view(
    acknowledge=extend_schema(request=None, responses={200: FindingSerializer},
                              summary="Acknowledge the findings sent to you",
                              description="Only the key person they were sent to (rule not_yours)."),
)
class FindingViewSet(ReadViewSet):
    """Findings of signed-off quality samples: your own, and those of the settings you monitor."""

    serializer_class = FindingSerializer
    filter_serializer_class = FindingFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.with_details(selectors.findings_visible_to(actor)).order_by("-sent_at", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("awaiting"):
            queryset = queryset.filter(acknowledged_at__isnull=True)
        if params.get("mine"):
            queryset = queryset.filter(staff=self.actor.staff)
        return queryset

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        finding = self.get_object()
        services.finding_acknowledge(actor=self.actor, finding=finding)
        return Response(FindingSerializer(self.refetch(finding)).data)


def register(router) -> None:
    router.register("monitoring-samples", SampleViewSet, basename="monitoring-sample")
    router.register("monitoring-findings", FindingViewSet, basename="monitoring-finding")
