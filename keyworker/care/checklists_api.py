"""API v1 routes of the checklists (CC-K1, CC-K5), the manager's introductions (CC-M1) and chat sessions (CC-K6).

- `checklists/`: one row per child and kind (the child's id and the kind name it: `checklists/{child}/{kind}/`),
  with each item's state; `.../tick/` ticks an item in, `.../take-back/` takes a tick back.
- `introductions/`: list, read, record (POST).
- `chat-sessions/`: list, read, record (POST).

Reads are scoped to the children the caller may see (404 outside); writes go through the services, and a refusal
names each field it concerns.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.pagination import Pagination
from keyworker.core.api.schema import ApiSchema
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Child

from . import chats_services, introductions_services
from . import checklists_services as services
from .chats_selectors import chat_children, sessions_visible_to
from .checklists import Checklist, checklists_for
from .checklists_selectors import EVIDENCE, access_child, childcare_children, due_dates, on_roll
from .introductions_selectors import introductions_visible_to
from .models_checklists import (
    NOTE_MAX,
    ChatOutcome,
    ChatSession,
    ChecklistKind,
    Introduction,
    IntroductionHow,
)

DATE_ERRORS = {"required": "Enter the date, for example 2026-11-18.", "invalid": "Enter a real date, for example 2026-11-18.",
               "null": "Enter the date, for example 2026-11-18."}


def _fields(call):
    """Run a service; its per-field refusals become a 400 with a message per field."""
    try:
        return call()
    except services.FieldErrors as exc:
        raise ValidationError(exc.as_dict()) from None


# Checklists ---------------------------------------------------------------------------------------------------------


class ItemStateSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code", help_text="The item's code: a built-in one, or item-<id>.")
    label = serializers.CharField(source="item.label")
    required = serializers.BooleanField(source="item.required")
    done = serializers.BooleanField()
    done_on = serializers.DateField(allow_null=True)
    from_family_form = serializers.BooleanField(help_text="In because the family's enrolment form was accepted.")
    done_by = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    def get_done_by(self, state) -> str:
        tick = state.tick
        return tick.done_by.user.full_name if tick is not None and tick.done_by else ""

    def get_note(self, state) -> str:
        return state.tick.note if state.tick is not None else ""


class ChecklistSerializer(serializers.Serializer):
    child = serializers.IntegerField(source="child.pk")
    child_name = serializers.CharField(source="child.display_name")
    family = serializers.IntegerField(source="child.family_id")
    setting = serializers.IntegerField(source="child.setting_id")
    kind = serializers.ChoiceField(choices=ChecklistKind.choices)
    enrolled_on = serializers.DateField(source="child.enrolled_on")
    complete = serializers.BooleanField()
    completed_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True, help_text="The open obligation's due date, if any.")
    missing = serializers.SerializerMethodField()
    items = ItemStateSerializer(many=True)

    def get_missing(self, checklist) -> list[str]:
        return [s.item.code for s in checklist.missing]


class ChecklistFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChecklistKind.choices, required=False)
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    started_since = serializers.DateField(required=False, help_text="Only children who started on or after this day.")
    incomplete = serializers.BooleanField(required=False, help_text="Only checklists with a required item missing.")


class TickSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text="The item's code, as the checklist lists it.")
    done_on = serializers.DateField(required=False, allow_null=True, error_messages=DATE_ERRORS,
                                    help_text="The day it was done (default today); not in the future, not before the "
                                              "child started.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class TakeBackSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40)


def _kind(kind: str) -> str:
    if kind not in ChecklistKind.values:
        raise Http404("No such checklist")
    return kind


def _one(child: Child, kind: str) -> Checklist:
    checklist = checklists_for([child], kind)[child.pk]
    checklist.due_on = due_dates([child.pk], EVIDENCE[kind]).get(child.pk)
    return checklist


class ChecklistListView(APIView):
    """Enrolment checklists and first-week inductions of the children you may see (CC-K1, CC-K5)."""

    schema = ApiSchema()
    pagination_class = Pagination  # the schema then describes the page ({count, next, previous, results})

    @extend_schema(parameters=[ChecklistFilterSerializer], responses={200: ChecklistSerializer(many=True)},
                   summary="Checklists of the children you may see, two per child (enrolment, induction)")
    def get(self, request: Request) -> Response:
        params = ChecklistFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        p = params.validated_data
        actor: Actor = request_actor(request)
        children = on_roll(childcare_children(actor), clock.today())
        if "child" in p:
            children = children.filter(pk=p["child"])
        if "started_since" in p:
            children = children.filter(enrolled_on__gte=p["started_since"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(children.select_related("setting").order_by("-enrolled_on", "id"), request,
                                           view=self)
        kinds = [p["kind"]] if "kind" in p else ChecklistKind.values
        ids = [c.pk for c in page]
        out = []
        by_kind = {k: checklists_for(page, k) for k in kinds}
        dues = {k: due_dates(ids, EVIDENCE[k]) for k in kinds}
        for child in page:
            for k in kinds:
                checklist = by_kind[k][child.pk]
                checklist.due_on = dues[k].get(child.pk)
                if not p.get("incomplete") or not checklist.complete:
                    out.append(checklist)
        return paginator.get_paginated_response(ChecklistSerializer(out, many=True).data)


class ChecklistDetailView(APIView):
    schema = ApiSchema()

    @extend_schema(responses={200: ChecklistSerializer}, summary="One child's checklist of a kind (enrolment, induction)")
    def get(self, request: Request, child_id: int, kind: str) -> Response:
        child = access_child(request_actor(request), child_id)
        return Response(ChecklistSerializer(_one(child, _kind(kind))).data)


class ChecklistTickView(APIView):
    schema = ApiSchema()

    @extend_schema(request=TickSerializer, responses={200: ChecklistSerializer},
                   summary="Tick an item of the child's checklist in",
                   description="Staff who edit key aspects in the child's setting (403 otherwise). Errors name each field: "
                               "item (not on this checklist), done_on (in the future, before the child started), note.")
    def post(self, request: Request, child_id: int, kind: str) -> Response:
        actor = request_actor(request)
        child = access_child(actor, child_id)
        kind = _kind(kind)
        data = TickSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        _fields(lambda: services.checklist_tick(actor=actor, child=child, kind=kind, item=v["item"],
                                                done_on=v.get("done_on"), note=v.get("note", "")))
        return Response(ChecklistSerializer(_one(child, kind)).data)


class ChecklistTakeBackView(APIView):
    schema = ApiSchema()

    @extend_schema(request=TakeBackSerializer, responses={200: ChecklistSerializer},
                   summary="Take a tick back: the item is missing again")
    def post(self, request: Request, child_id: int, kind: str) -> Response:
        actor = request_actor(request)
        child = access_child(actor, child_id)
        kind = _kind(kind)
        data = TakeBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.checklist_untick(actor=actor, child=child, kind=kind, item=data.validated_data["item"])
        return Response(ChecklistSerializer(_one(child, kind)).data)


# Introductions ------------------------------------------------------------------------------------------------------


class IntroductionSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    introduced_by = serializers.IntegerField(source="introduced_by_id", read_only=True)
    introduced_by_name = serializers.CharField(source="introduced_by.user.full_name", read_only=True)

    class Meta:
        model = Introduction
        fields = ["id", "child", "family", "setting", "introduced_on", "how", "note", "introduced_by",
                  "introduced_by_name", "recorded_at"]
        read_only_fields = fields


class IntroductionInputSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=childcare_children, help_text="A new child you may see.")
    introduced_on = serializers.DateField(error_messages=DATE_ERRORS,
                                          help_text="Not in the future, not before the child started.")
    how = serializers.ChoiceField(choices=IntroductionHow.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class IntroductionFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    setting = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class IntroductionViewSet(ReadViewSet):
    """The manager's introductions to new children and families (CC-M1)."""

    serializer_class = IntroductionSerializer
    filter_serializer_class = IntroductionFilterSerializer
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        return introductions_visible_to(actor).select_related("introduced_by__user").order_by("-introduced_on", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**{f"{k}_id": v for k, v in params.items()})

    @extend_schema(request=IntroductionInputSerializer, responses={201: IntroductionSerializer},
                   summary="Record the introduction to a new child and family",
                   description="Only whoever the setting names (the manager by default) may record it (403 otherwise).")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = IntroductionInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        intro = _fields(lambda: introductions_services.introduction_record(
            actor=self.actor, child=v["child"], introduced_on=v["introduced_on"], how=v["how"], note=v["note"]))
        return Response(IntroductionSerializer(self.refetch(intro)).data, status=status.HTTP_201_CREATED)


# Chat sessions ------------------------------------------------------------------------------------------------------


class ChatSessionSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    staff = serializers.IntegerField(source="staff_id", read_only=True)
    staff_name = serializers.CharField(source="staff.user.full_name", read_only=True)

    class Meta:
        model = ChatSession
        fields = ["id", "child", "family", "setting", "offered_on", "outcome", "staff", "staff_name", "note",
                  "recorded_at"]
        read_only_fields = fields


class ChatSessionInputSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=chat_children,
                              help_text="A child of an out of school care or youth setting you may see.")
    offered_on = serializers.DateField(error_messages=DATE_ERRORS,
                                       help_text="Not in the future, not before the child started.")
    outcome = serializers.ChoiceField(choices=ChatOutcome.choices,
                                      help_text="held, or declined: offered, and the child chose not to talk.")
    staff = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                     help_text="The member of staff the child chose: anyone with a role in the setting.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class ChatFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    outcome = serializers.ChoiceField(required=False, choices=ChatOutcome.choices)
    since = serializers.DateField(required=False)


class ChatSessionViewSet(ReadViewSet):
    """Chat sessions offered to children of out of school care and youth settings (CC-K6)."""

    serializer_class = ChatSessionSerializer
    filter_serializer_class = ChatFilterSerializer
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        return sessions_visible_to(actor).select_related("staff__user").order_by("-offered_on", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"child": "child_id", "outcome": "outcome", "since": "offered_on__gte"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @extend_schema(request=ChatSessionInputSerializer, responses={201: ChatSessionSerializer},
                   summary="Record a chat session, held or offered and declined")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ChatSessionInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        session = _fields(lambda: chats_services.chat_session_record(
            actor=self.actor, child=v["child"], offered_on=v["offered_on"], outcome=v["outcome"], staff_id=v["staff"],
            note=v["note"]))
        return Response(ChatSessionSerializer(self.refetch(session)).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("introductions", IntroductionViewSet, basename="introduction")
    router.register("chat-sessions", ChatSessionViewSet, basename="chat-session")


urlpatterns = [
    path("checklists/", ChecklistListView.as_view(), name="checklist-list"),
    path("checklists/<int:child_id>/<slug:kind>/", ChecklistDetailView.as_view(), name="checklist-detail"),
    path("checklists/<int:child_id>/<slug:kind>/tick/", ChecklistTickView.as_view(), name="checklist-tick"),
    path("checklists/<int:child_id>/<slug:kind>/take-back/", ChecklistTakeBackView.as_view(),
         name="checklist-take-back"),
]
