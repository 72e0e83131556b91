"""API v1 routes of the briefings app: the briefings sent to me, acknowledging one, or all of a child's at once."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.people.selectors import access_child

from . import selectors, services
from .models import BriefingRecipient, RecipientRole
from .selectors import MAX_ID

urlpatterns: list = []


class BriefingChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The key aspect's code, e.g. allergies.")
    field_label = serializers.CharField(help_text="Its name on screen, e.g. Allergies.")
    before = serializers.CharField()
    after = serializers.CharField()


class MyBriefingSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="briefing_id", read_only=True, help_text="The briefing's id.")
    child = serializers.IntegerField(source="briefing.child_id", read_only=True)
    child_name = serializers.CharField(source="briefing.child.display_name", read_only=True)
    class_ = serializers.IntegerField(source="briefing.group_id", read_only=True, allow_null=True,
                                      help_text="The child's class when the change was made.")
    changed_by = serializers.IntegerField(source="briefing.changed_by_id", read_only=True, allow_null=True)
    changed_by_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="briefing.created_at", read_only=True)
    changes = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=RecipientRole.choices, read_only=True, help_text="Why you were briefed.")
    url = serializers.SerializerMethodField(help_text="The briefing's page.")

    class Meta:
        model = BriefingRecipient
        fields = ["id", "child", "child_name", "class_", "changed_by", "changed_by_name", "created_at", "changes", "role",
                  "acknowledged_at", "acknowledged_as_author", "url"]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields

    def get_changed_by_name(self, obj: BriefingRecipient) -> str | None:
        user = obj.briefing.changed_by
        return user.full_name if user is not None else None

    @extend_schema_field(BriefingChangeSerializer(many=True))
    def get_changes(self, obj: BriefingRecipient) -> list[dict[str, str]]:
        return [
            {"field": c.field, "field_label": c.field_label, "before": c.before, "after": c.after}
            for c in (item.change for item in obj.briefing.items.all())
        ]

    def get_url(self, obj: BriefingRecipient) -> str:
        return f"/briefings/{obj.briefing_id}/"


class BriefingFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("pending", "Waiting for you"), ("acknowledged", "Read")], required=False,
        help_text="pending: not yet acknowledged (oldest first); acknowledged: read (most recent first).",
    )
    class_ = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                      help_text="Only briefings about children of this class.")
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Only briefings about this child.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields


class AcknowledgeChildSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The child whose briefings you have read.")


class AcknowledgedCountSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    acknowledged = serializers.IntegerField(help_text="How many briefings this acknowledged (0 if none were waiting).")


def _viewset():
    # The viewset is built when the router is (core's API routes registry calls `register`).
    from keyworker.core.api.views import ReadViewSet

    @extend_schema_view(
        list=extend_schema(summary="Briefings sent to you (changes to key aspects of children you work with)"),
        retrieve=extend_schema(summary="One briefing sent to you, with what changed and when you read it"),
        acknowledge=extend_schema(
            request=None, responses={200: MyBriefingSerializer},
            summary="Confirm you have read a briefing (“I have read this”); a second time keeps the first time",
        ),
        acknowledge_all=extend_schema(
            request=AcknowledgeChildSerializer, responses={200: AcknowledgedCountSerializer},
            summary="Confirm you have read every briefing about one child that is waiting for you",
        ),
    )
    class MyBriefingViewSet(ReadViewSet):
        """The briefings sent to you: a change to a child's key aspects to read and acknowledge (SCH-3).

        A briefing that was not sent to you is not found (404) here, even if you may see the child.
        """

        serializer_class = MyBriefingSerializer
        filter_serializer_class = BriefingFilterSerializer
        lookup_field = "briefing_id"
        lookup_url_kwarg = "pk"

        def get_object(self) -> BriefingRecipient:
            briefing_id = int(self.kwargs["pk"])
            found = self.get_queryset().filter(briefing_id=briefing_id).first() if 1 <= briefing_id <= MAX_ID else None
            if found is None:
                raise NotFound()
            return found

        def visible(self, actor: Actor) -> QuerySet:
            return selectors.with_details(selectors.my_briefings(actor)).order_by("-briefing__created_at", "-id")

        def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
            if params.get("status") == "pending":
                queryset = queryset.filter(acknowledged_at__isnull=True).order_by("briefing__created_at", "id")
            elif params.get("status") == "acknowledged":
                queryset = queryset.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at", "-id")
            if "class" in params:
                queryset = queryset.filter(briefing__child__group_id=params["class"])
            if "child" in params:
                queryset = queryset.filter(briefing__child_id=params["child"])
            return queryset

        @action(detail=True, methods=["post"])
        def acknowledge(self, request: Request, pk: str | None = None) -> Response:
            row = self.get_object()
            services.briefing_acknowledge(actor=self.actor, briefing=row.briefing)
            return Response(MyBriefingSerializer(self.refetch(row)).data)

        @action(detail=False, methods=["post"], url_path="acknowledge-all")
        def acknowledge_all(self, request: Request) -> Response:
            data = AcknowledgeChildSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            child = access_child(self.actor, data.validated_data["child"])
            count = services.briefings_acknowledge_child(actor=self.actor, child=child)
            return Response(AcknowledgedCountSerializer({"child": child.pk, "acknowledged": count}).data)

    return MyBriefingViewSet


def register(router) -> None:
    router.register("briefings", _viewset(), basename="briefing")
