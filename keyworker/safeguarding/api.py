"""API v1 routes of the safeguarding app: concerns at /api/v1/safeguarding/concerns/.

Anyone raises a concern (POST; the answer says only that it was sent, never its content back). Only the
safeguarding team of a concern's setting lists and reads concerns and adds to a child's chronology; for anyone else
they do not exist (404). Every list, read and refused attempt is written to the access log.
"""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts import restricted
from keyworker.accounts.models import StaffMember
from keyworker.contacts.models import ContactLog
from keyworker.core.api.fields import ScopedRecordField
from keyworker.core.api.views import ApiViewSet
from keyworker.people.models import Child

from . import policies, selectors, services
from .models import AccessRoute, Agency, Concern, Entry, SafeguardingCategory
from .services import MAX_CHILDREN, MIN_WORDS, PRESENT_MAX, REFERENCE_MAX, TEXT_MAX

urlpatterns: list = []

CATEGORY_REQUIRED = "Choose the kind of concern, or “other”."
WHAT_REQUIRED = f"Write what you saw or heard: at least a sentence ({MIN_WORDS} words or more)."
WHEN_REQUIRED = "Enter when it happened, for example 2026-11-18T09:15:00Z."


def _staff_in_organisation(actor):
    return StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True)


def _contacts_in_organisation(actor):
    return ContactLog.objects.filter(organisation_id=actor.organisation_id) if actor.is_member else ContactLog.objects.none()


class ConcernInputSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=selectors.children_for_reporter,
                              help_text="The child it is about: one of a setting you work in.")
    category = serializers.ChoiceField(choices=SafeguardingCategory.choices, error_messages={
        "required": CATEGORY_REQUIRED, "invalid_choice": CATEGORY_REQUIRED, "null": CATEGORY_REQUIRED})
    what_happened = serializers.CharField(max_length=TEXT_MAX, help_text="What was seen or heard, in your own words.",
                                          error_messages={"required": WHAT_REQUIRED, "blank": WHAT_REQUIRED, "null": WHAT_REQUIRED})
    happened_at = serializers.DateTimeField(help_text="When it happened (ISO 8601); not in the future.",
                                            error_messages={"required": WHEN_REQUIRED, "invalid": WHEN_REQUIRED, "null": WHEN_REQUIRED})
    present = serializers.CharField(required=False, allow_blank=True, max_length=PRESENT_MAX, default="",
                                    help_text="Who else was present.")
    lead_told = serializers.BooleanField(required=False, default=False, help_text="A safeguarding lead was told in person.")
    others = ScopedRecordField(model=Child, scope=selectors.children_for_reporter, many=True, required=False,
                               help_text="Ids of brothers, sisters or other pupils involved.")
    contact = ScopedRecordField(model=ContactLog, scope=_contacts_in_organisation, required=False, allow_null=True,
                                help_text="The flagged contact this concern comes from.")

    def to_internal_value(self, data: Any) -> Any:
        others = data.get("others") if hasattr(data, "get") else None
        if isinstance(others, list) and len(others) > MAX_CHILDREN:
            raise serializers.ValidationError({"others": [f"Link {MAX_CHILDREN} other children at most."]}, code="max_length")
        return super().to_internal_value(data)


class RaisedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    restricted = serializers.BooleanField()
    message = serializers.CharField()
    talk_to = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.user.full_name", read_only=True)

    class Meta:
        model = Entry
        fields = ["id", "child", "concern", "kind", "text", "reason", "assigned_to", "due_on", "done_at", "agency", "made_on",
                  "reference", "decision_due_on", "follow_up_on", "response_on", "status_from", "status_to", "sent_to",
                  "receipt_on", "by", "by_name", "at"]
        read_only_fields = fields


class ConcernListSerializer(serializers.ModelSerializer):
    raised_by_name = serializers.CharField(source="raised_by.user.full_name", read_only=True)

    class Meta:
        model = Concern
        fields = ["id", "setting", "child", "family", "category", "happened_at", "raised_by", "raised_by_name", "raised_at",
                  "state", "closed_at"]
        read_only_fields = fields


class ConcernSerializer(ConcernListSerializer):
    children = serializers.SerializerMethodField()
    entries = serializers.SerializerMethodField()

    class Meta(ConcernListSerializer.Meta):
        fields = [*ConcernListSerializer.Meta.fields, "what_happened", "present", "lead_told", "contact", "children", "entries"]
        read_only_fields = fields

    def get_children(self, obj: Concern) -> list[int]:
        return list(obj.links.values_list("child_id", flat=True))

    def get_entries(self, obj: Concern) -> list[dict]:
        return EntrySerializer(selectors.concern_entries(obj), many=True).data


class EntryInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k, k) for k in ("action", "decision", "referral", "outcome")], error_messages={
        "required": "Choose action, decision, referral or outcome.", "invalid_choice": "Choose action, decision, referral or outcome."})
    child = serializers.IntegerField(required=False, min_value=1, help_text="A child linked to the concern; the subject by default.")
    text = serializers.CharField(max_length=TEXT_MAX, error_messages={"required": "Write at least a sentence (5 words or more)."})
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX, default="")
    assigned_to = ScopedRecordField(model=StaffMember, scope=_staff_in_organisation, required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True, default="")
    made_on = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=REFERENCE_MAX, default="")
    decision_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(summary="Concerns (safeguarding team only; each listed concern is logged)",
                       responses={200: ConcernListSerializer(many=True)}),
    retrieve=extend_schema(summary="One concern with its entries (safeguarding team only; the read is logged)",
                           description="Needs a fresh confirmation: a token issued with a second factor in the last 15 "
                                       "minutes, or a session that confirmed the password in the last 15 minutes; "
                                       "otherwise 403 with code confirmation_required (the refusal is logged).",
                           responses={200: ConcernSerializer}),
    create=extend_schema(request=ConcernInputSerializer, responses={201: RaisedSerializer}, summary="Raise a concern",
                         description="Anyone working in the child's setting. The team is told at once. The answer does "
                                     "not give the content back: only the team reads it."),
    entries=extend_schema(request=EntryInputSerializer, responses={201: EntrySerializer},
                          summary="Add an action, decision, referral or outcome (safeguarding team only)"),
)
class ConcernViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    """Safeguarding concerns: restricted records (KCSIE; SCH-4)."""

    serializer_class = ConcernSerializer
    http_method_names = ["get", "post", "head", "options"]
    returns_restricted = True  # the schema documents the 403 "confirmation_required"

    def visible(self, actor):
        return selectors.with_details(selectors.concerns_for_team(actor)).order_by("-raised_at", "-id")

    def get_serializer_class(self):
        return {"create": ConcernInputSerializer, "list": ConcernListSerializer, "entries": EntryInputSerializer}.get(
            self.action, ConcernSerializer)

    def _refuse(self, concern_id: Any = None) -> None:
        """404 for anyone outside the team; an attempt on a concern of the organisation is logged."""
        actor = self.actor
        concern = None
        if actor.is_member and str(concern_id or "").isdigit() and len(str(concern_id)) <= 18:
            concern = Concern.objects.filter(pk=int(concern_id), organisation_id=actor.organisation_id).first()
        services.concern_access_record(actor=actor, concerns=[concern] if concern else [], route=AccessRoute.API,
                                       allowed=False)
        raise NotFound("Not found.")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policies.is_team(self.actor):
            self._refuse()
        page = list(self.paginate_queryset(self.get_queryset()))
        services.concern_access_record(actor=self.actor, concerns=page, route=AccessRoute.LIST, detail="api")
        return self.get_paginated_response(ConcernListSerializer(page, many=True).data)

    def _team_concern(self, pk: Any) -> Concern:
        concern = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() and len(str(pk)) <= 18 else None
        if concern is None:
            self._refuse(pk)
        return concern

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        concern = self._team_concern(kwargs.get("pk"))
        if not restricted.may_read(request):
            services.concern_access_record(actor=self.actor, concerns=[concern], route=AccessRoute.API, allowed=False,
                                           detail="confirmation required")
            raise restricted.ConfirmationRequired()
        services.concern_access_record(actor=self.actor, concerns=[concern], route=AccessRoute.API)
        return Response(ConcernSerializer(concern).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.actor.is_member:
            raise NotFound("Not found.")
        serializer = ConcernInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        concern = services.concern_raise(actor=self.actor, **serializer.validated_data)
        names = selectors.talk_to(concern.organisation_id, [concern.setting_id]).get(concern.setting_id, [])
        return Response({"id": concern.pk, "restricted": True, "message": "Sent to the safeguarding team.",
                         "talk_to": selectors.talk_to_text(names)}, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def entries(self, request: Request, pk: str | None = None) -> Response:
        concern = self._team_concern(pk)
        serializer = EntryInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        child_id = data.pop("child", None) or concern.child_id
        child = Child.objects.select_related("setting").filter(
            pk=child_id, organisation_id=concern.organisation_id, id__in=concern.links.values("child_id")).first()
        if child is None:
            raise serializers.ValidationError({"child": ["Choose a child linked to this concern."]})
        entry = services.entry_add(actor=self.actor, child=child, concern=concern, **data)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("safeguarding/concerns", ConcernViewSet, basename="safeguarding-concern")
