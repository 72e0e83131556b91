"""API v1 routes of personal care plans (CC-K3, CC-C1) for staff: plans (list, read, a new version, the versions),
reviews (list, record one) and carers' comments (list). Reads are scoped to the children the caller may see;
writes go through the services."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.views import ReadViewSet
from keyworker.organisations.calendar import TermCalendar
from keyworker.people.models import Child

from . import plans_services as services
from .models_plans import (
    COMMENT_MAX,
    NOTE_MAX,
    SECTIONS,
    TEXT_MAX,
    CarePlan,
    CarePlanComment,
    CarePlanReview,
    CarePlanVersion,
    ChildChose,
)
from .plans_selectors import (
    comments_visible_to,
    due_for,
    plan_children_visible_to,
    plans_visible_to,
    review_days,
    reviews_visible_to,
)

urlpatterns: list = []


def _staff_of_organisation(actor: Actor) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(organisation_id=actor.organisation_id)


class CarePlanVersionSerializer(serializers.ModelSerializer):
    saved_by = serializers.IntegerField(source="saved_by_id", read_only=True, allow_null=True)
    review = serializers.IntegerField(source="review_id", read_only=True, allow_null=True)

    class Meta:
        model = CarePlanVersion
        fields = ["id", "number", *[name for name, _, _ in SECTIONS], "summary", "significant_change", "saved_at",
                  "saved_on", "saved_by", "saved_by_name", "review"]
        read_only_fields = fields


class CarePlanSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    current = CarePlanVersionSerializer(read_only=True)
    next_review_due = serializers.SerializerMethodField(help_text="The earliest date any review rule sets.")
    next_review_rule = serializers.SerializerMethodField(help_text="The rule that set it: termly, request, start, "
                                                                   "six_months or significant_change.")

    class Meta:
        model = CarePlan
        fields = ["id", "child", "child_name", "family", "setting", "created_at", "current", "last_reviewed_on",
                  "review_requested_on", "significant_change_on", "next_review_due", "next_review_rule"]
        read_only_fields = fields

    def _due(self, plan: CarePlan):
        # One term calendar per setting, and the numbers all the organisation's settings chose, for the whole page.
        calendars = self.context.setdefault("calendars", {})
        cal = calendars.get(plan.setting_id)
        if cal is None:
            cal = calendars[plan.setting_id] = TermCalendar.for_setting(plan.child.setting)
        if "review_days" not in self.context:
            self.context["review_days"] = review_days(organisation_id=plan.organisation_id)
        cache = self.context.setdefault("due", {})
        if plan.pk not in cache:
            cache[plan.pk] = due_for(plan.child, plan, cal, self.context["review_days"][plan.setting_id],
                                     self.context["as_of"])
        return cache[plan.pk]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_review_due(self, plan: CarePlan):
        return self._due(plan).on

    @extend_schema_field(serializers.CharField())
    def get_next_review_rule(self, plan: CarePlan) -> str:
        return self._due(plan).rule


class CarePlanSaveSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=plan_children_visible_to, help_text="The child whose plan this is.")
    summary = serializers.CharField(max_length=services.SUMMARY_MAX, required=False, allow_blank=True, default="")
    significant_change = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, _ in SECTIONS:
            self.fields[name] = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="",
                                                      help_text=label)


class CarePlanFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    setting = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema_view(
    create=extend_schema(request=CarePlanSaveSerializer, responses={201: CarePlanSerializer},
                         summary="Save a new version of a child's plan (the first makes the plan)",
                         description="Nothing is overwritten: each save is a new version. Staff who edit the child's key "
                                     "aspects in the child's setting (403 otherwise). Rule `unchanged` when nothing changed."),
    versions=extend_schema(responses={200: CarePlanVersionSerializer(many=True)},
                           summary="Every version of the plan, newest first"),
)
class CarePlanViewSet(mixins.CreateModelMixin, ReadViewSet):
    """Personal care plans (CC-K3) of the children you may see, with the current version and the next review."""

    serializer_class = CarePlanSerializer
    filter_serializer_class = CarePlanFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (plans_visible_to(actor).select_related("child__setting", "current").order_by("child__legal_last_name", "id"))

    def get_serializer_context(self) -> dict[str, Any]:
        from keyworker.core import clock

        return {**super().get_serializer_context(), "as_of": clock.today()}

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "setting": "setting_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CarePlanSaveSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        child = values.pop("child")
        summary, significant = values.pop("summary"), values.pop("significant_change")
        version = services.care_plan_save(actor=self.actor, child=child, sections=values, summary=summary,
                                          significant_change=significant)
        plan = self.get_queryset().get(pk=version.plan_id)
        return Response(CarePlanSerializer(plan, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        return Response(CarePlanVersionSerializer(plan.versions.order_by("-number"), many=True).data)


class CarePlanReviewSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    done_by = serializers.IntegerField(source="done_by_id", read_only=True)
    done_by_name = serializers.CharField(source="done_by.user.full_name", read_only=True)
    chosen_staff = serializers.IntegerField(source="chosen_staff_id", read_only=True, allow_null=True)
    chosen_staff_name = serializers.CharField(source="chosen_staff.user.full_name", read_only=True, default="")
    version = serializers.IntegerField(source="version.number", read_only=True, default=None,
                                       help_text="The version saved with the review, when the plan changed.")

    class Meta:
        model = CarePlanReview
        fields = ["id", "plan", "child", "reviewed_on", "done_by", "done_by_name", "child_chose", "chosen_staff",
                  "chosen_staff_name", "notes", "plan_changed", "version", "recorded_at"]
        read_only_fields = fields


class CarePlanReviewCreateSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=plan_children_visible_to)
    reviewed_on = serializers.DateField(help_text="The day of the review: not in the future, not before the plan.")
    child_chose = serializers.ChoiceField(choices=ChildChose.choices, help_text="Whom the child chose (CC-C1).")
    chosen_staff = ScopedRecordField(model=StaffMember, scope=_staff_of_organisation, required=False, allow_null=True,
                                     default=None, help_text="With child_chose=staff: a staff member of the setting.")
    done_by = ScopedRecordField(model=StaffMember, scope=_staff_of_organisation, required=False, allow_null=True,
                                default=None, help_text="Who did the review (default: you); a staff member of the setting.")
    notes = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=services.SUMMARY_MAX, required=False, allow_blank=True, default="")
    plan = serializers.DictField(child=serializers.CharField(max_length=TEXT_MAX, allow_blank=True), required=False,
                                 default=None, allow_null=True,
                                 help_text="The plan's sections after the review, when it changed (a new version).")

    def validate_plan(self, value):
        if value is None:
            return None
        unknown = sorted(set(value) - {name for name, _, _ in SECTIONS})
        if unknown:
            raise serializers.ValidationError(f"Unknown parts of the plan: {', '.join(unknown)}.")
        return value


class ReviewFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    plan = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema_view(
    create=extend_schema(request=CarePlanReviewCreateSerializer, responses={201: CarePlanReviewSerializer},
                         summary="Record a review of a child's plan, with whom the child chose (CC-K3, CC-C1)"),
)
class CarePlanReviewViewSet(mixins.CreateModelMixin, ReadViewSet):
    """Reviews of the personal care plans of the children you may see, newest first."""

    serializer_class = CarePlanReviewSerializer
    filter_serializer_class = ReviewFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (reviews_visible_to(actor).select_related("done_by__user", "chosen_staff__user", "version")
                .order_by("-reviewed_on", "-id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "plan": "plan_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CarePlanReviewCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan_sections = v["plan"]
        if plan_sections is not None:
            child_plan = CarePlan.objects.filter(child=v["child"]).select_related("current").first()
            current = child_plan.current if child_plan else None
            # The parts not sent stay as they are.
            plan_sections = {name: plan_sections.get(name, getattr(current, name, "")) for name, _, _ in SECTIONS}
        review = services.care_plan_review_record(
            actor=self.actor, child=v["child"], reviewed_on=v["reviewed_on"], child_chose=v["child_chose"],
            chosen_staff=v["chosen_staff"], done_by=v["done_by"], notes=v["notes"], sections=plan_sections,
            summary=v["summary"],
        )
        return Response(CarePlanReviewSerializer(self.refetch(review)).data, status=status.HTTP_201_CREATED)


class CarePlanCommentSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    carer = serializers.IntegerField(source="carer_id", read_only=True, allow_null=True)
    answered_by = serializers.IntegerField(source="answered_by_id", read_only=True, allow_null=True,
                                           help_text="The review that answered a request for one.")

    class Meta:
        model = CarePlanComment
        fields = ["id", "plan", "child", "carer", "author_name", "body", "asks_review", "version_number", "created_at",
                  "made_on", "answered_by"]
        read_only_fields = fields
        extra_kwargs = {"body": {"max_length": COMMENT_MAX}}


class CommentFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    asks_review = serializers.BooleanField(required=False)


class CarePlanCommentViewSet(ReadViewSet):
    """Carers' comments on the personal care plans of the children you may see (written in the carers' portal)."""

    serializer_class = CarePlanCommentSerializer
    filter_serializer_class = CommentFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return comments_visible_to(actor).order_by("-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "asks_review": "asks_review"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})


def register(router) -> None:
    router.register("care-plans", CarePlanViewSet, basename="care-plan")
    router.register("care-plan-reviews", CarePlanReviewViewSet, basename="care-plan-review")
    router.register("care-plan-comments", CarePlanCommentViewSet, basename="care-plan-comment")



