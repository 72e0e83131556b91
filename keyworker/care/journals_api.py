"""API v1 routes of learning journals (CC-K4): observations (list, record, read, hide), next steps (list, plan, done),
carers' comments (read) and wow moments (list, approve). Reads are scoped to the children the caller may see; writes
go through the services; a record outside the caller's scope is 404."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID
from keyworker.core.api.views import ReadViewSet
from keyworker.people.selectors import children_visible_to

from . import journals_services as services
from . import policies
from .journals_frameworks import SCHEMAS
from .journals_selectors import JOURNAL_KINDS, observations_visible_to
from .models_journals import (
    JOURNAL_NOTE_MAX,
    JOURNAL_TEXT_MAX,
    JournalComment,
    NextStep,
    NextStepState,
    Observation,
    ObservationChild,
    WowMoment,
    WowState,
)

urlpatterns: list = []


class ObservationSerializer(serializers.ModelSerializer):
    children = serializers.SerializerMethodField()
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.user.full_name", read_only=True, default="")
    photos = serializers.SerializerMethodField()
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)

    class Meta:
        model = Observation
        fields = ["id", "children", "setting", "framework", "observed_on", "text", "interests", "schemas", "areas",
                  "shared_with_family", "version", "recorded_by", "created_at", "updated_at", "photos", "hidden",
                  "hidden_at", "hidden_reason"]
        read_only_fields = fields

    def get_children(self, obj) -> list[int]:
        return [t.child_id for t in obj.tags.all()]

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if obj.is_hidden:  # a hidden observation is shown as existing, never what it said
            actor = self.context.get("actor")
            if actor is None or not policies.journal_sees_hidden(actor, obj.setting_id):
                data.update(text="", interests=[], schemas=[], areas=[], photos=[])
        return data


class ObservationCreateSerializer(serializers.Serializer):
    children = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                     max_length=60, help_text="The children observed (several for a group observation).")
    observed_on = serializers.DateField()
    text = serializers.CharField(max_length=JOURNAL_TEXT_MAX)
    interests = serializers.ListField(child=serializers.CharField(max_length=services.INTEREST_MAX), required=False,
                                      max_length=services.MAX_INTERESTS)
    schemas = serializers.ListField(child=serializers.ChoiceField(choices=SCHEMAS), required=False, max_length=len(SCHEMAS))
    areas = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=30,
                                  help_text="Codes of the setting's framework areas (and wellbeing indicators).")
    shared_with_family = serializers.BooleanField(required=False, default=True)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=JOURNAL_NOTE_MAX)
    follows_up = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                       max_length=50)


class HideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX)


class ObservationFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    observed_from = serializers.DateField(required=False)
    observed_to = serializers.DateField(required=False)


@extend_schema_view(
    create=extend_schema(request=ObservationCreateSerializer, responses={201: ObservationSerializer},
                         summary="Record an observation of one or more children (CC-K4)"),
    hide=extend_schema(request=HideSerializer, responses={200: ObservationSerializer},
                       summary="Hide an observation, with a reason (leaders of the setting; 403 otherwise)"),
)
class ObservationViewSet(ReadViewSet):
    """Learning journal observations of the children you may see."""

    serializer_class = ObservationSerializer
    filter_serializer_class = ObservationFilterSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": self.actor}

    def visible(self, actor: Actor) -> QuerySet:
        return (observations_visible_to(actor).select_related("recorded_by__user")
                .prefetch_related("tags", "photos").order_by("-observed_on", "-id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if "child" in params:
            queryset = queryset.filter(pk__in=ObservationChild.objects.filter(child_id=params["child"]).values("observation_id"))
        if "observed_from" in params:
            queryset = queryset.filter(observed_on__gte=params["observed_from"])
        if "observed_to" in params:
            queryset = queryset.filter(observed_on__lte=params["observed_to"])
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ObservationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        children = list(children_visible_to(self.actor).filter(pk__in=v["children"], setting__kind__in=JOURNAL_KINDS))
        if len(children) != len(set(v["children"])):
            raise Http404("No such child")
        try:
            observation = services.observation_record(
                actor=self.actor, children=children, observed_on=v["observed_on"], text=v["text"],
                interests=v.get("interests", []), schemas=v.get("schemas", []), areas=v.get("areas", []),
                shared_with_family=v.get("shared_with_family", True), next_step=v.get("next_step", ""),
                follows_up=v.get("follows_up", []))
        except services.JournalFieldErrors as exc:  # every field refused, each with its message
            raise ValidationError(exc.as_dict()) from None
        return Response(self.get_serializer(self.refetch(observation)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        observation = self.get_object()
        if not policies.journal_can_hide(self.actor, observation.setting_id):
            raise PermissionDenied("Only a leader of the setting can hide an observation.")
        data = HideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.observation_hide(actor=self.actor, observation=observation, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.refetch(observation)).data)


class NextStepSerializer(serializers.ModelSerializer):
    observation = serializers.IntegerField(source="observation_id", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    followed_up_by = serializers.IntegerField(source="followed_up_by_id", read_only=True, allow_null=True)

    class Meta:
        model = NextStep
        fields = ["id", "observation", "child", "text", "state", "planned_at", "done_on", "followed_up_by"]
        read_only_fields = fields


class NextStepCreateSerializer(serializers.Serializer):
    observation = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    text = serializers.CharField(max_length=JOURNAL_NOTE_MAX)


class NextStepFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    state = serializers.ChoiceField(required=False, choices=NextStepState.choices)


@extend_schema_view(
    create=extend_schema(request=NextStepCreateSerializer, responses={201: NextStepSerializer},
                         summary="Plan a next step for a child from an observation"),
    done=extend_schema(request=None, responses={200: NextStepSerializer}, summary="Mark a next step as done"),
)
class NextStepViewSet(ReadViewSet):
    """Next steps planned from observations, for the children you may see."""

    serializer_class = NextStepSerializer
    filter_serializer_class = NextStepFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        if not actor.is_member:
            return NextStep.objects.none()
        return NextStep.objects.filter(organisation_id=actor.organisation_id,
                                       child__in=children_visible_to(actor).values("id")).order_by("-planned_at", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = NextStepCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        observation = observations_visible_to(self.actor).filter(pk=v["observation"]).first()
        child = children_visible_to(self.actor).filter(pk=v["child"]).first()
        if observation is None or child is None:
            raise Http404("No such observation or child")
        step = services.next_step_plan(actor=self.actor, observation=observation, child=child, text=v["text"])
        return Response(NextStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        step = services.next_step_done(actor=self.actor, step=self.get_object())
        return Response(NextStepSerializer(step).data)


class CommentSerializer(serializers.ModelSerializer):
    observation = serializers.IntegerField(source="observation_id", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)

    class Meta:
        model = JournalComment
        fields = ["id", "observation", "child", "carer_name", "text", "created_at"]
        read_only_fields = fields


class CommentFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    observation = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class CommentViewSet(ReadViewSet):
    """Carers' comments on observations of the children you may see."""

    serializer_class = CommentSerializer
    filter_serializer_class = CommentFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        if not actor.is_member:
            return JournalComment.objects.none()
        return JournalComment.objects.filter(organisation_id=actor.organisation_id,
                                             child__in=children_visible_to(actor).values("id")).order_by("-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**{f"{k}_id": v for k, v in params.items()})


class WowMomentSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = WowMoment
        fields = ["id", "child", "carer_name", "happened_on", "text", "has_photo", "state", "created_at", "reviewed_at",
                  "review_note"]
        read_only_fields = fields

    def get_has_photo(self, obj) -> bool:
        return bool(obj.image)


class WowFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    state = serializers.ChoiceField(required=False, choices=WowState.choices)


class DeclineSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


@extend_schema_view(
    approve=extend_schema(request=None, responses={200: WowMomentSerializer},
                          summary="Approve a family's wow moment: it enters the child's journal"),
    decline=extend_schema(request=DeclineSerializer, responses={200: WowMomentSerializer},
                          summary="Do not add a family's wow moment, saying why"),
)
class WowMomentViewSet(ReadViewSet):
    """Wow moments families sent from the carers' portal, for the children you may see."""

    serializer_class = WowMomentSerializer
    filter_serializer_class = WowFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        if not actor.is_member:
            return WowMoment.objects.none()
        return WowMoment.objects.filter(organisation_id=actor.organisation_id,
                                        child__in=children_visible_to(actor).values("id")).order_by("-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "state": "state"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        wow = services.wow_moment_approve(actor=self.actor, wow=self.get_object())
        return Response(WowMomentSerializer(wow).data)

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        wow = self.get_object()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wow = services.wow_moment_decline(actor=self.actor, wow=wow, note=data.validated_data["note"])
        return Response(WowMomentSerializer(wow).data)


def register(router) -> None:
    router.register("journal-observations", ObservationViewSet, basename="journal-observation")
    router.register("journal-next-steps", NextStepViewSet, basename="journal-next-step")
    router.register("journal-comments", CommentViewSet, basename="journal-comment")
    router.register("journal-wow-moments", WowMomentViewSet, basename="journal-wow-moment")
