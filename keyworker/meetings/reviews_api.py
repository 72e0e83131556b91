"""API v1 routes of EHCP annual reviews: reviews with their steps and "All about my family"; open one, book its
meeting, record a step, invite the key worker, save the family's views, share the pupil booklet. Reads are scoped to
the caller's families (404 outside); writes go through keyworker.meetings.reviews; errors name their field."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from . import reviews
from .models import AnnualReview, FamilyViews

urlpatterns: list = []

STEP_CHOICES = [*reviews.MARKABLE, reviews.KEY_WORKER]


class StepSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    done_by = serializers.CharField()
    state = serializers.ChoiceField(choices=list(reviews.STEP_STATE_LABELS))


class FamilyViewsSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyViews
        fields = ["going_well", "hard", "hopes", "questions", "state", "done_at", "updated_at", "written_by"]
        read_only_fields = fields


class AnnualReviewSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    appointment = serializers.IntegerField(source="appointment_id", read_only=True, allow_null=True)
    meeting_starts_at = serializers.DateTimeField(source="appointment.starts_at", read_only=True, default=None,
                                                  allow_null=True)
    booklet_shared_by = serializers.CharField(source="booklet_shared_by.full_name", read_only=True, default="")
    steps = serializers.SerializerMethodField()
    family_views = FamilyViewsSerializer(read_only=True)

    class Meta:
        model = AnnualReview
        fields = ["id", "child", "child_name", "family", "setting", "last_review_on", "due_by", "appointment",
                  "meeting_starts_at", "held_on", "booklet_shared_at", "booklet_shared_by", "booklet_shared_with", "steps",
                  "family_views", "version"]
        read_only_fields = fields

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, review: AnnualReview) -> list[dict]:
        return StepSerializer(reviews.review_steps(review, clock.today(review.setting.time_zone)), many=True).data


class ReviewFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    held = serializers.BooleanField(required=False, help_text="true: reviews held; false: reviews still to hold.")


class OpenSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=children_visible_to)
    last_review_on = serializers.DateField(input_formats=["iso-8601"], help_text="The last review, or the day the plan was issued.")


class ScheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class StepInSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=STEP_CHOICES)
    on = serializers.DateField(input_formats=["iso-8601"], required=False, allow_null=True, default=None,
                               help_text="The day it was done (default today); not for key_worker.")


class FamilyViewsInSerializer(serializers.Serializer):
    going_well = serializers.CharField(max_length=reviews.FAMILY_VIEWS_MAX, allow_blank=True, required=False, default="")
    hard = serializers.CharField(max_length=reviews.FAMILY_VIEWS_MAX, allow_blank=True, required=False, default="")
    hopes = serializers.CharField(max_length=reviews.FAMILY_VIEWS_MAX, allow_blank=True, required=False, default="")
    questions = serializers.CharField(max_length=reviews.FAMILY_VIEWS_MAX, allow_blank=True, required=False, default="")
    done = serializers.BooleanField(default=False)


class ShareSerializer(serializers.Serializer):
    shared_with = serializers.CharField(max_length=300)


@extend_schema_view(
    create=extend_schema(request=OpenSerializer, responses={201: AnnualReviewSerializer},
                         summary="Open a child's annual review cycle: due 12 months after the last review",
                         description="A leader of the child's setting (403 otherwise); the child must have an EHCP (rule no_ehcp)."),
    schedule=extend_schema(request=ScheduleSerializer, responses={200: AnnualReviewSerializer},
                           summary="Book or move the review meeting (an appointment of kind annual_review, the family invited)"),
    steps=extend_schema(request=StepInSerializer, responses={200: AnnualReviewSerializer},
                        summary="Record a step: invitations, papers, held, report; or key_worker to invite the key worker"),
    family_views=extend_schema(request=FamilyViewsInSerializer, responses={200: FamilyViewsSerializer},
                               summary="Save “All about my family” written with the family (done: true when finished)"),
    share_booklet=extend_schema(request=ShareSerializer, responses={200: AnnualReviewSerializer},
                                summary="Record the pupil booklet shared with the family (SCH-7): who, when, with whom"),
)
class AnnualReviewViewSet(ReadViewSet):
    """EHCP annual reviews of the children you may see, each with its steps and "All about my family"."""

    serializer_class = AnnualReviewSerializer
    filter_serializer_class = ReviewFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return reviews.with_details(reviews.reviews_visible_to(actor)).order_by("due_by", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if "child" in params:
            queryset = queryset.filter(child_id=params["child"])
        if "held" in params:
            queryset = queryset.filter(held_on__isnull=not params["held"])
        return queryset

    def _answer(self, review: AnnualReview) -> Response:
        return Response(AnnualReviewSerializer(self.refetch(review)).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = OpenSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        review = reviews.review_open(actor=self.actor, child=data.validated_data["child"],
                                     last_review_on=data.validated_data["last_review_on"])
        return Response(AnnualReviewSerializer(self.refetch(review)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        return self._answer(reviews.review_schedule(actor=self.actor, review=review, starts_at=d["starts_at"],
                                                    ends_at=d["ends_at"], place=d["place"]))

    @action(detail=True, methods=["post"])
    def steps(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        data = StepInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = data.validated_data["step"]
        if step == reviews.KEY_WORKER:
            return self._answer(reviews.review_key_worker_invite(actor=self.actor, review=review))
        return self._answer(reviews.review_step_mark(actor=self.actor, review=review, step=step, on=data.validated_data["on"]))

    @action(detail=True, methods=["post"], url_path="family-views")
    def family_views(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        data = FamilyViewsInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        views = reviews.family_views_save(actor=self.actor, review=review, done=d["done"],
                                          answers=reviews.Answers(**{f: d[f] for f in reviews.ANSWER_FIELDS}))
        return Response(FamilyViewsSerializer(views).data)

    @action(detail=True, methods=["post"], url_path="share-booklet")
    def share_booklet(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(reviews.review_booklet_share(actor=self.actor, review=review, shared_with=data.validated_data["shared_with"]))


def register(router) -> None:
    router.register("annual-reviews", AnnualReviewViewSet, basename="annual-review")
