"""API v1 routes of the enrolment app: enrolment forms (list, one, accept, ask for changes) for staff. Reads are
scoped to the families the caller may see; writes go through the services."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID
from keyworker.core.api.views import ReadViewSet

from . import policies, services
from .models import EnrolmentForm, FormState
from .selectors import forms_visible_to

urlpatterns: list = []


class EnrolmentFormSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    sent_by = serializers.IntegerField(source="sent_by_id", read_only=True, allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.user.full_name", read_only=True, default="")
    missing = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="The questions not answered yet.")

    class Meta:
        model = EnrolmentForm
        fields = ["id", "child", "child_name", "family", "setting", "state", "allergies", "medical_needs", "outside_agencies",
                  "family_circumstances", "photo_consent", "outings_consent", "sun_cream_consent",
                  "emergency_treatment_consent", "missing", "started_at", "updated_at", "sent_at", "sent_by", "sent_by_name",
                  "reviewed_at", "reviewed_by", "changes_note", "accepted_on"]
        read_only_fields = fields


class EnrolmentFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(required=False, choices=FormState.choices)
    child = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    setting = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class AskChangesSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=services.NOTE_MAX, help_text="What the family should change.")


@extend_schema_view(
    accept=extend_schema(request=None, responses={200: EnrolmentFormSerializer},
                         summary="Accept a form sent by the family: its answers become the child's key aspects",
                         description="Staff who edit key aspects in the child's setting (403 otherwise); only a form in "
                                     "state sent (rule not_sent). Meets CC-P1 on the day accepted."),
    ask_changes=extend_schema(request=AskChangesSerializer, responses={200: EnrolmentFormSerializer},
                              summary="Send the form back to the family, saying what to change"),
)
class EnrolmentFormViewSet(ReadViewSet):
    """Enrolment forms (CC-P1) of the children you may see: filled in by a carer in the portal."""

    serializer_class = EnrolmentFormSerializer
    filter_serializer_class = EnrolmentFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return forms_visible_to(actor).select_related("child", "reviewed_by__user").order_by("-updated_at", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"state": "state", "child": "child_id", "setting": "setting_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        form = self.get_object()
        policies.require_review(self.actor, form.setting_id)
        services.enrolment_accept(actor=self.actor, form=form)
        return Response(EnrolmentFormSerializer(self.refetch(form)).data)

    @action(detail=True, methods=["post"], url_path="ask-changes")
    def ask_changes(self, request: Request, pk: str | None = None) -> Response:
        form = self.get_object()
        policies.require_review(self.actor, form.setting_id)
        data = AskChangesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.enrolment_ask_changes(actor=self.actor, form=form, note=data.validated_data["note"])
        return Response(EnrolmentFormSerializer(self.refetch(form)).data)


def register(router) -> None:
    router.register("enrolment-forms", EnrolmentFormViewSet, basename="enrolment-form")
