"""API v1 routes of the wellbeing app: wellbeing concerns (list, raise, one, follow-ups, signposting, referrals, the
agency's response, outcome) and the agency directory (read by everyone in the organisation)."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID, BlankableModelSerializer, ScopedRecordField
from keyworker.core.api.schema import ValidationErrorSerializer
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Child, Family
from keyworker.people.selectors import children_visible_to, families_visible_to

from . import selectors, services
from .models import (
    Agency,
    Area,
    ConcernStatus,
    FollowUpKind,
    Indicator,
    Outcome,
    ReferralResponse,
    SignpostHow,
    WellbeingConcern,
    WellbeingFollowUp,
)
from .services import NOTE_MAX, REFERENCE_MAX, TEXT_MAX

BAD_INPUT = OpenApiResponse(ValidationErrorSerializer, description="Invalid input or a refusal by a rule, one message per field.")


def _choices(name: str, choices: list[tuple[str, str]], blank: str = "") -> type[serializers.ChoiceField]:
    """A choice field whose enum is written inline in the schema: other apps use the same field names (kind, status)
    for other choice sets, and shared enum components would collide. With `blank` (what "" means), "" is a value too."""
    if blank:
        choices = [("", blank), *choices]

    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = name
    # Wrapped in allOf, the enum stays inline (the schema's enum post-processing only lifts top-level enums).
    return extend_schema_field({"allOf": [{"type": "string", "enum": [c[0] for c in choices]}],
                                "description": "; ".join(f"`{c[0]}` {c[1]}" for c in choices)})(Field)


KindField = _choices("WellbeingKindField", FollowUpKind.choices)
StatusField = _choices("WellbeingStatusField", ConcernStatus.choices)
HowField = _choices("WellbeingHowField", SignpostHow.choices, blank="not signposting, or not said")
ResponseField = _choices("WellbeingResponseField", ReferralResponse.choices)
AnswerField = _choices("WellbeingAnswerField", [c for c in ReferralResponse.choices if c[0]])
OutcomeField = _choices("WellbeingOutcomeField", Outcome.choices)
OutcomeOutField = _choices("WellbeingOutcomeOutField", Outcome.choices, blank="still open")
AreaField = _choices("WellbeingAreaField", Area.choices)
IndicatorField = _choices("WellbeingIndicatorField", Indicator.choices)


def _agencies(actor: Actor) -> QuerySet[Agency]:
    return selectors.agencies_visible_to(actor)


# Serializers ------------------------------------------------------------------------------------------------


class WellbeingAgencySerializer(BlankableModelSerializer):
    areas = serializers.ListField(child=AreaField(), read_only=True)
    area_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "service", "areas", "area_labels", "phone", "email", "website", "area_covered", "notes",
                  "is_active", "updated_at"]
        read_only_fields = fields


class WellbeingFollowUpSerializer(serializers.ModelSerializer):
    kind = KindField(read_only=True)
    how = HowField(read_only=True)
    response = ResponseField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True, allow_null=True, default=None)
    recorded_by_name = serializers.CharField(source="recorded_by.user.full_name", read_only=True)

    class Meta:
        model = WellbeingFollowUp
        fields = ["id", "concern", "kind", "kind_label", "happened_on", "note", "agency", "agency_name", "how", "told_family",
                  "reference", "consent_given", "follow_up_on", "response", "responded_on", "recorded_by", "recorded_by_name",
                  "by_leader", "created_at"]
        read_only_fields = fields


class WellbeingConcernSerializer(serializers.ModelSerializer):
    family_name = serializers.CharField(source="family.name", read_only=True)
    status = StatusField(read_only=True)
    outcome = OutcomeOutField(read_only=True)
    areas = serializers.ListField(child=AreaField(), read_only=True)
    indicators = serializers.ListField(child=IndicatorField(), read_only=True)
    raised_by_name = serializers.CharField(source="raised_by.user.full_name", read_only=True)
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    follow_ups = WellbeingFollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = WellbeingConcern
        fields = ["id", "family", "family_name", "setting", "children", "noticed_on", "areas", "indicators", "what_noticed",
                  "status", "follow_up_due_on", "last_follow_up_on", "raised_by", "raised_by_name", "created_at", "closed_at",
                  "closed_by", "outcome", "outcome_summary", "follow_ups"]
        read_only_fields = fields


class WellbeingConcernCreateSerializer(serializers.Serializer):
    family = ScopedRecordField(model=Family, scope=families_visible_to, help_text="A family you may see.")
    what_noticed = serializers.CharField(max_length=TEXT_MAX, help_text="At least a sentence (5 words or more).")
    areas = serializers.ListField(child=AreaField(), allow_empty=False,
                                  help_text="What the family may be struggling with; at least one.")
    indicators = serializers.ListField(child=IndicatorField(), allow_empty=False,
                                       help_text="The wellbeing indicators (SHANARRI); at least one.")
    children = serializers.ListField(child=ScopedRecordField(model=Child, scope=children_visible_to), required=False,
                                     default=list, help_text="Children of the family concerned; optional.")
    noticed_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if left out.")


class WellbeingFollowUpCreateSerializer(serializers.Serializer):
    kind = KindField()
    happened_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if left out.")
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="",
                                 help_text="At least a sentence for a contact or a conversation.")
    agency = ScopedRecordField(model=Agency, scope=_agencies, required=False, allow_null=True, default=None,
                               help_text="For signposting, a referral or a contact with an agency.")
    how = HowField(required=False, allow_blank=True, default="",
                                  help_text="Signposting: how the details were given.")
    told_family = serializers.BooleanField(required=False, default=False)
    reference = serializers.CharField(max_length=REFERENCE_MAX, required=False, allow_blank=True, default="")
    consent_given = serializers.BooleanField(required=False, allow_null=True, default=None,
                                             help_text="Referral: the family agreed (needed).")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="When to check again; needed for a referral.")


class WellbeingReferralResponseSerializer(serializers.Serializer):
    follow_up = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The referral's id.")
    response = AnswerField()
    responded_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if left out.")


class WellbeingCloseSerializer(serializers.Serializer):
    outcome = OutcomeField()
    summary = serializers.CharField(max_length=TEXT_MAX, help_text="At least a sentence.")


class WellbeingConcernFilterSerializer(serializers.Serializer):
    status = StatusField(required=False)
    family = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    indicator = IndicatorField(required=False)


class WellbeingAgencyFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=100, help_text="Words in the name, service, notes or area.")
    area = AreaField(required=False, help_text="A need the agency helps with.")
    place = serializers.CharField(required=False, max_length=100, help_text="Words in the area covered.")
    include_retired = serializers.BooleanField(required=False, default=False)


# Views ------------------------------------------------------------------------------------------------------


def _detail(qs: QuerySet[WellbeingConcern]) -> QuerySet[WellbeingConcern]:
    return selectors.with_details(qs).prefetch_related(
        "children", Prefetch("follow_ups", queryset=WellbeingFollowUp.objects.select_related("agency", "recorded_by__user")
                             .order_by("-happened_on", "-created_at", "-id")))


@extend_schema_view(
    create=extend_schema(request=WellbeingConcernCreateSerializer, responses={201: WellbeingConcernSerializer, 400: BAD_INPUT},
                         summary="Raise a wellbeing concern (the leadership team and the key worker are told at once)"),
    follow_ups=extend_schema(request=WellbeingFollowUpCreateSerializer, responses={201: WellbeingFollowUpSerializer, 400: BAD_INPUT},
                             summary="Record a follow-up: a contact, a conversation, signposting, a referral or an agency contact"),
    signpost=extend_schema(request=WellbeingFollowUpCreateSerializer, responses={201: WellbeingFollowUpSerializer, 400: BAD_INPUT},
                           summary="Signpost the family to an agency (kind is signposting whatever is sent)"),
    refer=extend_schema(request=WellbeingFollowUpCreateSerializer, responses={201: WellbeingFollowUpSerializer, 400: BAD_INPUT},
                        summary="Refer the family to an agency with their consent (kind is referral whatever is sent)"),
    referral_response=extend_schema(request=WellbeingReferralResponseSerializer, responses={200: WellbeingFollowUpSerializer, 400: BAD_INPUT},
                           summary="Record an agency's response to a referral"),
    close=extend_schema(request=WellbeingCloseSerializer, responses={200: WellbeingConcernSerializer, 400: BAD_INPUT},
                        summary="Close the concern with its outcome (leaders of its setting or the family's key worker)"),
)
class WellbeingConcernViewSet(mixins.CreateModelMixin, ReadViewSet):
    """Wellbeing concerns you may see: those you raised, about families you are key worker for, and in the settings you
    lead. Not the child-protection route: a child at risk of harm is a safeguarding concern."""

    serializer_class = WellbeingConcernSerializer
    filter_serializer_class = WellbeingConcernFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return _detail(selectors.concerns_visible_to(actor)).order_by("-noticed_on", "-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("family"):
            queryset = queryset.filter(family_id=params["family"])
        if params.get("indicator"):
            queryset = queryset.filter(indicators__icontains=params["indicator"])
        return queryset

    def _input(self, serializer_class: type[serializers.Serializer], **fixed: Any) -> dict[str, Any]:
        data = self.request.data
        if fixed:
            data = {**(data.dict() if hasattr(data, "dict") else data), **fixed}
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(WellbeingConcernCreateSerializer)
        concern = services.concern_raise(actor=self.actor, **data)
        return Response(WellbeingConcernSerializer(self.refetch(concern)).data, status=status.HTTP_201_CREATED)

    def _follow_up(self, kind: str | None) -> Response:
        concern = self.get_object()
        data = self._input(WellbeingFollowUpCreateSerializer, **({"kind": kind} if kind else {}))
        follow_up = services.follow_up_record(actor=self.actor, concern=concern, **data)
        return Response(WellbeingFollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request: Request, pk: str | None = None) -> Response:
        return self._follow_up(None)

    @action(detail=True, methods=["post"])
    def signpost(self, request: Request, pk: str | None = None) -> Response:
        return self._follow_up(FollowUpKind.SIGNPOSTING)

    @action(detail=True, methods=["post"])
    def refer(self, request: Request, pk: str | None = None) -> Response:
        return self._follow_up(FollowUpKind.REFERRAL)

    @action(detail=True, methods=["post"], url_path="referral-response")
    def referral_response(self, request: Request, pk: str | None = None) -> Response:
        concern = self.get_object()
        data = self._input(WellbeingReferralResponseSerializer)
        follow_up = concern.follow_ups.filter(pk=data["follow_up"]).first()
        if follow_up is None:
            raise Http404
        follow_up.concern = concern
        follow_up = services.referral_response_record(actor=self.actor, follow_up=follow_up, response=data["response"],
                                                      responded_on=data["responded_on"])
        return Response(WellbeingFollowUpSerializer(follow_up).data)

    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        concern = self.get_object()
        data = self._input(WellbeingCloseSerializer)
        concern = services.concern_close(actor=self.actor, concern=concern, outcome=data["outcome"], summary=data["summary"])
        return Response(WellbeingConcernSerializer(self.refetch(concern)).data)


class AgencyViewSet(ReadViewSet):
    """The organisation's directory of partner agencies; everyone in the organisation reads it."""

    serializer_class = WellbeingAgencySerializer
    filter_serializer_class = WellbeingAgencyFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.agencies_visible_to(actor).order_by("name", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return selectors.agencies_search(queryset, text=params.get("search", ""), area=params.get("area", ""),
                                         place=params.get("place", ""), include_retired=params.get("include_retired", False))


urlpatterns: list = []


def register(router) -> None:
    router.register("wellbeing-concerns", WellbeingConcernViewSet, basename="wellbeing-concern")
    router.register("agencies", AgencyViewSet, basename="agency")
