"""API v1 routes of the targets app (SCH-8): learning targets (list, one, create, update, review, share a child's
targets), homework (list, one, set, returns, feedback) and notes from home (list). Reads are scoped to the children
the caller may see; writes go through the services, whose refusals come back as one message per field."""

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.schema import ValidationErrorSerializer
from keyworker.core.api.views import ReadViewSet
from keyworker.organisations.models import Group
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from . import policies, selectors, services
from .models import (
    NOTE_MAX,
    TEXT_MAX,
    WHAT_MAX,
    HomeNote,
    Homework,
    HomeworkReturn,
    LearningTarget,
    ShareMethod,
    TargetReview,
    TargetSharing,
    TargetStatus,
)

urlpatterns: list = []
BAD_INPUT = OpenApiResponse(ValidationErrorSerializer, description="Invalid input or a refusal by a rule, one message per field.")


def _call(fn, **kwargs):
    """A service call whose several refused inputs become a 400 with a message per field."""
    try:
        return fn(**kwargs)
    except services.FieldErrors as exc:
        raise ValidationError(exc.as_dict()) from exc


# Serializers ------------------------------------------------------------------------------------------------------


class TargetReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.CharField(source="reviewed_by.user.full_name", read_only=True, default="")

    class Meta:
        model = TargetReview
        fields = ["id", "reviewed_on", "progress", "status", "next_review_on", "reviewed_by"]
        read_only_fields = fields


class LearningTargetSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    reviews = TargetReviewSerializer(many=True, read_only=True)

    class Meta:
        model = LearningTarget
        fields = ["id", "child", "child_name", "family", "what", "why", "how_we_know", "help_at_home", "review_on", "status",
                  "shared_on", "version", "created_at", "updated_at", "reviews"]
        read_only_fields = fields


class TargetWriteSerializer(serializers.Serializer):
    what = serializers.CharField(max_length=WHAT_MAX, help_text="The target.")
    why = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    how_we_know = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    help_at_home = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    review_on = serializers.DateField(help_text="The day it is reviewed (each half term).",
                                      error_messages={"required": "Choose the day the target will be reviewed (each half term)."})


class TargetCreateSerializer(TargetWriteSerializer):
    child = ScopedRecordField(model=Child, scope=children_visible_to)


class TargetUpdateSerializer(serializers.Serializer):
    what = serializers.CharField(max_length=WHAT_MAX, required=False)
    why = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    how_we_know = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    help_at_home = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    review_on = serializers.DateField(required=False)
    version = serializers.IntegerField(min_value=1, help_text="The version you started from (an older one: 409).")


class ReviewInputSerializer(serializers.Serializer):
    progress = serializers.CharField(max_length=TEXT_MAX, help_text="The progress note.")
    status = serializers.ChoiceField(choices=TargetStatus.choices)
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text="Needed while the status stays working.")


class ShareInputSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=children_visible_to)
    method = serializers.ChoiceField(choices=ShareMethod.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SharingSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    targets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = TargetSharing
        fields = ["id", "child", "shared_on", "method", "note", "targets"]
        read_only_fields = fields


class TargetFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(required=False, choices=TargetStatus.choices)


class HomeworkReturnSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)

    class Meta:
        model = HomeworkReturn
        fields = ["child", "returned", "marked_on", "feedback"]
        read_only_fields = fields


class HomeworkSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True, allow_null=True)
    child = serializers.IntegerField(source="child_id", read_only=True, allow_null=True)
    returns = HomeworkReturnSerializer(many=True, read_only=True)

    class Meta:
        model = Homework
        fields = ["id", "group", "child", "title", "what_to_do", "how_to_help", "set_on", "due_on", "created_at", "returns"]
        read_only_fields = fields


def _groups(actor: Actor) -> QuerySet:
    return selectors.groups_for(actor)


class HomeworkCreateSerializer(serializers.Serializer):
    group = ScopedRecordField(model=Group, scope=_groups, required=False, allow_null=True, default=None,
                              help_text="The class (give it, or a child, or both).")
    child = ScopedRecordField(model=Child, scope=children_visible_to, required=False, allow_null=True, default=None,
                              help_text="For one child only.")
    title = serializers.CharField(max_length=WHAT_MAX)
    what_to_do = serializers.CharField(max_length=TEXT_MAX)
    how_to_help = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    set_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    due_on = serializers.DateField(error_messages={"required": "Choose the day it is due."})

    def validate(self, attrs: dict) -> dict:
        if attrs.get("group") is None and attrs.get("child") is None:
            raise ValidationError({"group": ["Choose the class (or a child)."]})
        return attrs


class ReturnMarkSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    returned = serializers.BooleanField()


class ReturnsInputSerializer(serializers.Serializer):
    returns = ReturnMarkSerializer(many=True, allow_empty=False)


class FeedbackInputSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    feedback = serializers.CharField(max_length=NOTE_MAX)


class HomeworkFilterSerializer(serializers.Serializer):
    group = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class HomeNoteSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    target = serializers.IntegerField(source="target_id", read_only=True, allow_null=True)

    class Meta:
        model = HomeNote
        fields = ["id", "child", "target", "carer_name", "text", "created_at"]
        read_only_fields = fields


class NoteFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# Views ------------------------------------------------------------------------------------------------------------


class _Inputs:
    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    create=extend_schema(request=TargetCreateSerializer, responses={201: LearningTargetSerializer, 400: BAD_INPUT},
                         summary="Set a learning target for a child (the class team and leaders)"),
    update=extend_schema(request=TargetUpdateSerializer, responses={200: LearningTargetSerializer, 400: BAD_INPUT},
                         summary="Change a target (from the version you started from)"),
    partial_update=extend_schema(request=TargetUpdateSerializer, responses={200: LearningTargetSerializer, 400: BAD_INPUT},
                                 summary="Change some of a target's fields"),
    review=extend_schema(request=ReviewInputSerializer, responses={201: TargetReviewSerializer, 400: BAD_INPUT},
                         summary="Review a target with a progress note (each half term)"),
    share=extend_schema(request=ShareInputSerializer, responses={201: SharingSerializer, 400: BAD_INPUT},
                        summary="Record that a child's current targets were shared with the family (SCH-8 evidence)"),
)
class LearningTargetViewSet(_Inputs, mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadViewSet):
    """Learning targets (My Learning Targets, SCH-8) of the children you may see, with their reviews."""

    serializer_class = LearningTargetSerializer
    filter_serializer_class = TargetFilterSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.with_reviews(selectors.targets_visible_to(actor)).select_related("child").order_by("child_id", "review_on", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "status": "status"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(TargetCreateSerializer)
        target = _call(services.target_create, actor=self.actor, **data)
        return Response(LearningTargetSerializer(self.refetch(target)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        target = self.get_object()
        data = self._input(TargetUpdateSerializer)
        version = data.pop("version")
        if not partial:
            missing = [f for f in ("what", "review_on") if f not in data]
            if missing:
                raise ValidationError({f: ["This field is required."] for f in missing})
        target = _call(services.target_update, actor=self.actor, target=target, changes=data, version=version)
        return Response(LearningTargetSerializer(self.refetch(target)).data)

    def conflict_current(self, record):
        return LearningTargetSerializer(self.refetch(record)).data

    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        target = self.get_object()
        data = self._input(ReviewInputSerializer)
        review = _call(services.target_review, actor=self.actor, target=target, **data)
        return Response(TargetReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def share(self, request: Request) -> Response:
        data = self._input(ShareInputSerializer)
        sharing = _call(services.targets_share, actor=self.actor, **data)
        return Response(SharingSerializer(sharing).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=HomeworkCreateSerializer, responses={201: HomeworkSerializer, 400: BAD_INPUT},
                         summary="Set homework for a class or one child of it (the class team and leaders)"),
    returns=extend_schema(request=ReturnsInputSerializer, responses={200: HomeworkSerializer, 400: BAD_INPUT},
                          summary="Mark children's homework returned or not (children of the class only)"),
    feedback=extend_schema(request=FeedbackInputSerializer, responses={200: HomeworkReturnSerializer, 400: BAD_INPUT},
                           summary="Feedback to the family on one child's homework"),
)
class HomeworkViewSet(_Inputs, mixins.CreateModelMixin, ReadViewSet):
    """Homework of the classes you work with, and homework set for a child you may see, with each child's return."""

    serializer_class = HomeworkSerializer
    filter_serializer_class = HomeworkFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (selectors.homework_visible_to(actor).select_related("setting", "group", "child__group")
                .prefetch_related("returns").order_by("-due_on", "-id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if "group" in params:
            queryset = queryset.filter(Q(group_id=params["group"]) | Q(child__group_id=params["group"]))
        if "child" in params:
            of_class = Child.objects.filter(pk=params["child"]).values("group_id")
            queryset = queryset.filter(Q(child_id=params["child"]) | Q(group_id__in=of_class))
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(HomeworkCreateSerializer)
        hw = _call(services.homework_set, actor=self.actor, **data)
        return Response(HomeworkSerializer(self.refetch(hw)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def returns(self, request: Request, pk: str | None = None) -> Response:
        hw = self.get_object()
        policies.require_mark_homework(self.actor, hw)
        data = self._input(ReturnsInputSerializer)
        _call(services.homework_returns_mark, actor=self.actor, homework=hw,
              returned={r["child"]: r["returned"] for r in data["returns"]})
        return Response(HomeworkSerializer(self.refetch(hw)).data)

    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        hw = self.get_object()
        policies.require_mark_homework(self.actor, hw)
        data = self._input(FeedbackInputSerializer)
        row = _call(services.homework_feedback_give, actor=self.actor, homework=hw, child_id=data["child"],
                    feedback=data["feedback"])
        return Response(HomeworkReturnSerializer(row).data)


class HomeNoteViewSet(ReadViewSet):
    """Notes from home: what carers say in the portal about how the targets are going at home."""

    serializer_class = HomeNoteSerializer
    filter_serializer_class = NoteFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.notes_visible_to(actor).order_by("-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(child_id=params["child"]) if "child" in params else queryset


def register(router) -> None:
    router.register("learning-targets", LearningTargetViewSet, basename="learning-target")
    router.register("homework", HomeworkViewSet, basename="homework")
    router.register("notes-from-home", HomeNoteViewSet, basename="note-from-home")
