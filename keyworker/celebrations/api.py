"""API v1 routes of the celebrations app: celebrations (list, record, one, share, void) and positivity figures."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.accounts.selectors import settings_visible_to
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.fields import MAX_ID, BlankableModelSerializer, ScopedRecordField
from keyworker.core.api.schema import ApiSchema, ValidationErrorSerializer
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Child, Family
from keyworker.people.selectors import children_visible_to, families_visible_to

from . import policies, selectors, services
from .models import Celebration, CelebrationKind, PositivityWindow, SharedHow
from .positivity import (
    EMPTY,
    FamilyPositivity,
    PositivityPeriod,
    ToneCounts,
    counts_by_author,
    families_positivity,
    periods_for,
    rule_for,
    setting_overview,
)
from .services import NOTE_MAX, POINTS_MAX, REASON_MAX, TITLE_MAX

BAD_INPUT = OpenApiResponse(ValidationErrorSerializer, description="Invalid input or a refusal by a rule, one message per field.")


# Serializers ------------------------------------------------------------------------------------------------

class CelebrationKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CelebrationKind.choices, **kwargs)


class CelebrationSerializer(BlankableModelSerializer):
    # A plain string here: the kinds' enum is described once, on the request that records one.
    kind = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(CelebrationKind.values) + ".")
    kind_label = serializers.CharField(read_only=True, help_text="The kind in words, e.g. “5 Dojo Points”.")
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.user.full_name", read_only=True)
    is_voided = serializers.BooleanField(read_only=True)
    is_shared = serializers.BooleanField(read_only=True)

    class Meta:
        model = Celebration
        fields = [
            "id", "child", "child_name", "family", "setting", "kind", "kind_label", "points", "title", "note", "celebrated_on",
            "recorded_by", "recorded_by_name", "created_at", "is_shared", "shared_on", "shared_how", "shared_by", "contact",
            "is_voided", "voided_at", "void_reason",
        ]
        read_only_fields = fields


class CelebrationCreateSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=children_visible_to, help_text="The child celebrated.")
    family = ScopedRecordField(model=Family, scope=families_visible_to, required=False,
                               help_text="Optional: checked against the child's family.")
    kind = CelebrationKindField()
    title = serializers.CharField(max_length=TITLE_MAX, help_text="What it is for, in a few words.")
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    points = serializers.IntegerField(min_value=1, max_value=POINTS_MAX, required=False, allow_null=True, default=None,
                                      help_text="Dojo Points only.")
    celebrated_on = serializers.DateField(help_text="Today or up to a year ago, never in the future.")
    shared_how = serializers.ChoiceField(choices=SharedHow.choices, required=False, allow_blank=True, default="",
                                         help_text="How it was shared with the family (records a celebration contact).")
    shared_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if shared_how is given without it.")


class CelebrationShareSerializer(serializers.Serializer):
    shared_how = serializers.ChoiceField(choices=SharedHow.choices)
    shared_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if left out.")


class CelebrationVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)
    void_contact = serializers.BooleanField(required=False, default=False,
                                            help_text="Also void the contact log that sharing it recorded.")


def _id_param(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


class CelebrationFilterSerializer(serializers.Serializer):
    kind = CelebrationKindField(required=False)
    family = _id_param("Only this family's celebrations.")
    child = _id_param("Only this child's celebrations.")
    setting = _id_param("Only this setting's celebrations.")
    class_ = _id_param("Only celebrations of children in this class or room.")
    recorded_by = _id_param("Only celebrations this staff member recorded.")
    key_worker = _id_param("Only celebrations of the families this staff member is the current key worker of.")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    shared = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Shared with the family or not.")
    include_voided = serializers.BooleanField(required=False, default=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields

    def validate(self, attrs: dict) -> dict:
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["The end date cannot be before the start date."]})
        return attrs


class PositivityFilterSerializer(serializers.Serializer):
    family = _id_param("One family's positivity.")
    key_worker = _id_param("A key worker's own contacts and their families (yours without any parameter).")
    setting = _id_param("A setting's positivity per key worker and per class (leaders).")
    as_of = serializers.DateField(required=False, help_text="Today unless given.")

    def validate(self, attrs: dict) -> dict:
        given = [k for k in ("family", "key_worker", "setting") if attrs.get(k)]
        if len(given) > 1:
            raise serializers.ValidationError({given[1]: ["Ask for one of family, key_worker or setting at a time."]})
        return attrs


class ToneCountsSerializer(serializers.Serializer):
    celebration = serializers.IntegerField()
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    concern = serializers.IntegerField()
    total = serializers.IntegerField()
    positive_total = serializers.IntegerField(help_text="Positive and celebration contacts.")
    share = serializers.IntegerField(allow_null=True, help_text="Positive share, whole percent rounded down; null with no contacts.")


class PositivitySerializer(serializers.Serializer):
    """The figures; which parts are present depends on what was asked (family, key_worker or setting)."""

    window = serializers.DictField()
    rule = serializers.DictField()
    counts = ToneCountsSerializer(required=False)
    predominantly_positive = serializers.BooleanField(required=False)
    family = serializers.DictField(required=False)
    families = serializers.ListField(child=serializers.DictField(), required=False)
    key_workers = serializers.ListField(child=serializers.DictField(), required=False)
    classes = serializers.ListField(child=serializers.DictField(), required=False)


# Views ------------------------------------------------------------------------------------------------------

@extend_schema_view(
    create=extend_schema(request=CelebrationCreateSerializer, responses={201: CelebrationSerializer, 400: BAD_INPUT},
                         summary="Record a celebration (shared with the family at once when shared_how is given)"),
    share=extend_schema(request=CelebrationShareSerializer, responses={200: CelebrationSerializer, 400: BAD_INPUT},
                        summary="Mark as shared with the family: records one celebration contact (never a second)"),
    void=extend_schema(request=CelebrationVoidSerializer, responses={200: CelebrationSerializer, 400: BAD_INPUT},
                       summary="Void a celebration (leaders: allocations.manage in its setting); it stays in the record"),
)
class CelebrationViewSet(mixins.CreateModelMixin, ReadViewSet):
    """Celebrations of the children you may see: Well Done postcards, Star of the week, Dojo Points, milestones."""

    serializer_class = CelebrationSerializer
    filter_serializer_class = CelebrationFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.with_details(selectors.celebrations_visible_to(actor)).order_by("-celebrated_on", "-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return selectors.celebrations_filter(
            queryset, kind=params.get("kind", ""), family_id=params.get("family"), child_id=params.get("child"),
            setting_id=params.get("setting"), group_id=params.get("class"), recorded_by_id=params.get("recorded_by"),
            key_worker_id=params.get("key_worker"), date_from=params.get("date_from"), date_to=params.get("date_to"),
            shared=params.get("shared"), include_voided=params.get("include_voided", True),
        )

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _respond(self, celebration: Celebration, code: int) -> Response:
        return Response(CelebrationSerializer(self.refetch(celebration)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(CelebrationCreateSerializer)
        celebration = services.celebration_record(actor=self.actor, **data)
        return self._respond(celebration, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        celebration = self.get_object()
        data = self._input(CelebrationShareSerializer)
        celebration = services.celebration_share(actor=self.actor, celebration=celebration, how=data["shared_how"],
                                                 shared_on=data["shared_on"])
        return self._respond(celebration, status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        celebration = self.get_object()
        policies.require_void(self.actor, celebration)
        data = self._input(CelebrationVoidSerializer)
        services.celebration_void(actor=self.actor, celebration=celebration, reason=data["reason"], void_contact=data["void_contact"])
        return self._respond(celebration, status.HTTP_200_OK)


def _counts(c: ToneCounts) -> dict:
    return {"celebration": c.celebration, "positive": c.positive, "neutral": c.neutral, "concern": c.concern,
            "total": c.total, "positive_total": c.positive_total, "share": c.share}


def _window(p: PositivityPeriod) -> dict:
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label}


def _family(result: FamilyPositivity, name: str, threshold: int) -> dict:
    return {"id": result.family_id, "name": name, "counts": _counts(result.counts),
            "predominantly_positive": result.counts.predominantly_positive(threshold), "flagged": result.flagged,
            "reason": result.reason, "last_tones": list(result.last_tones)}


class PositivityView(APIView):
    """Positivity (SCH-1): contacts by tone and the positive share over the organisation's window, with flags."""

    schema = ApiSchema()

    @extend_schema(
        parameters=[PositivityFilterSerializer], responses={200: PositivitySerializer, 400: BAD_INPUT},
        summary="Positivity of a family, a key worker (default: you) or a setting",
        description="Contacts by tone over the window (this half term unless the organisation's rule says the last N days); "
                    "voided contacts never count. A family is flagged when no more than the threshold share of at least the "
                    "minimum number of contacts are positive or celebrations, or its last 3 contacts were all concerns. "
                    "Another key worker's figures or a setting's need allocations.manage.",
    )
    def get(self, request: Request) -> Response:
        actor = request_actor(request)
        params = PositivityFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        rule = rule_for(actor.organisation_id)
        rule_out = {"threshold_percent": rule.threshold_percent, "min_contacts": rule.min_contacts, "window": rule.window,
                    "window_days": rule.window_days}
        if data.get("setting"):
            return Response(self._setting(actor, data, rule, rule_out))
        if data.get("family"):
            family = families_visible_to(actor).filter(pk=data["family"]).first()
            if family is None:
                raise Http404
            setting_id = (Child.objects.filter(family_id=family.pk).order_by("left_on", "id").values_list("setting_id", flat=True).first()
                          or min(actor.setting_ids, default=None))
            as_of = data.get("as_of") or clock.today()
            period = periods_for(rule, {setting_id}, as_of)[setting_id]
            result = families_positivity(actor.organisation_id, {family.pk: period}, rule, as_of)[family.pk]
            return Response({"window": _window(period), "rule": rule_out, "family": _family(result, family.name, rule.threshold_percent)})
        return Response(self._key_worker(actor, data, rule, rule_out))

    def _key_worker(self, actor: Actor, data: dict, rule, rule_out: dict) -> dict:
        staff_id = data.get("key_worker") or actor.staff.pk
        if staff_id != actor.staff.pk:
            # Another staff member's figures: they must exist here (else 404), and only leaders may look (else 403).
            if not StaffMember.objects.filter(pk=staff_id, organisation_id=actor.organisation_id).exists():
                raise Http404
            policies.require_positivity(actor)
        allocations = list(KeyWorkerAllocation.objects.filter(organisation_id=actor.organisation_id, staff_id=staff_id,
                                                              ends_at__isnull=True).select_related("family").order_by("family__name", "id"))
        as_of = data.get("as_of") or clock.today()
        setting_ids = {a.setting_id for a in allocations} or set(actor.setting_ids) or {0}
        periods = periods_for(rule, setting_ids, as_of)
        main = min(setting_ids, key=lambda sid: (-sum(a.setting_id == sid for a in allocations), sid))
        family_periods = {a.family_id: periods[a.setting_id] for a in allocations}
        results = families_positivity(actor.organisation_id, family_periods, rule, as_of)
        own = counts_by_author(actor.organisation_id, {staff_id}, periods[main]).get(staff_id, EMPTY)
        names = {a.family_id: a.family.name for a in allocations}
        return {
            "window": _window(periods[main]), "rule": rule_out, "counts": _counts(own),
            "predominantly_positive": own.predominantly_positive(rule.threshold_percent),
            "families": [_family(results[fid], names[fid], rule.threshold_percent) for fid in family_periods],
        }

    def _setting(self, actor: Actor, data: dict, rule, rule_out: dict) -> dict:
        setting = settings_visible_to(actor).filter(pk=data["setting"]).first()
        if setting is None:
            raise Http404
        policies.require_positivity(actor, setting.pk)
        overview = setting_overview(setting, rule, data.get("as_of") or clock.today(setting.time_zone))

        def row(r) -> dict:
            return {"id": r.key, "name": r.name, "families": r.families, "flagged": r.flagged, "counts": _counts(r.counts),
                    "predominantly_positive": r.predominantly_positive}

        return {
            "window": _window(overview.period), "rule": rule_out, "counts": _counts(overview.total),
            "predominantly_positive": overview.total.predominantly_positive(rule.threshold_percent),
            "key_workers": [row(r) for r in overview.key_workers], "classes": [row(r) for r in overview.groups],
            "families": [_family(f.positivity, f.name, rule.threshold_percent) | {"key_worker": f.key_worker} for f in overview.flagged],
        }


class PositivityRuleSerializer(serializers.Serializer):
    threshold_percent = serializers.IntegerField(min_value=0, max_value=100,
                                                 help_text="Predominantly positive means more than this share, in percent.")
    min_contacts = serializers.IntegerField(min_value=1, max_value=50, help_text="Contacts in the window before a family can be flagged.")
    window = serializers.ChoiceField(choices=PositivityWindow.choices)
    window_days = serializers.IntegerField(min_value=7, max_value=365, help_text="The N of “the last N days”.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class PositivityRuleView(APIView):
    """The organisation's positivity rule (SCH-1): threshold, minimum contacts and window."""

    schema = ApiSchema()

    def _out(self, rule) -> dict:
        return {"threshold_percent": rule.threshold_percent, "min_contacts": rule.min_contacts, "window": rule.window,
                "window_days": rule.window_days, "updated_at": rule.updated_at if rule.pk else None}

    @extend_schema(responses={200: PositivityRuleSerializer}, summary="The positivity rule")
    def get(self, request: Request) -> Response:
        return Response(PositivityRuleSerializer(self._out(rule_for(request_actor(request).organisation_id))).data)

    @extend_schema(request=PositivityRuleSerializer, responses={200: PositivityRuleSerializer, 400: BAD_INPUT},
                   summary="Change the positivity rule (setup.manage); audited")
    def put(self, request: Request) -> Response:
        actor = request_actor(request)
        actor.require(caps.MANAGE_SETUP)
        serializer = PositivityRuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = services.positivity_rule_save(actor=actor, **serializer.validated_data)
        return Response(PositivityRuleSerializer(self._out(rule)).data)


urlpatterns: list = [
    path("positivity/", PositivityView.as_view(), name="positivity"),
    path("positivity/rule/", PositivityRuleView.as_view(), name="positivity-rule"),
]


def register(router) -> None:
    router.register("celebrations", CelebrationViewSet, basename="celebration")
