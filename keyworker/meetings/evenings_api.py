"""API v1 of parents' evenings: the evenings, their slots (free or booked) and bookings: book a free slot for a
child, move a booking to another free slot of the same member of staff, cancel it. Reads are scoped to the settings
the caller works in (404 outside); writes are the office's and leaders' (403 otherwise) and go through the services,
with a message per field."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from . import evenings, policies
from .evenings_models import EveningSlot, ParentsEvening

urlpatterns: list = []


class EveningSerializer(serializers.ModelSerializer):
    setting = serializers.IntegerField(source="setting_id", read_only=True)

    class Meta:
        model = ParentsEvening
        fields = ["id", "setting", "title", "starts_at", "ends_at", "slot_minutes", "break_starts_at", "break_ends_at",
                  "booking_opens_at", "booking_closes_at", "place", "status", "cancelled_at", "cancellation_reason"]
        read_only_fields = fields


class SlotSerializer(serializers.ModelSerializer):
    evening = serializers.IntegerField(source="evening_id", read_only=True)
    staff = serializers.IntegerField(source="staff_id", read_only=True)
    staff_name = serializers.CharField(source="staff.user.full_name", read_only=True)
    free = serializers.BooleanField(source="is_free", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True, allow_null=True)
    child = serializers.IntegerField(source="child_id", read_only=True, allow_null=True)
    carer = serializers.IntegerField(source="carer_id", read_only=True, allow_null=True)
    appointment = serializers.IntegerField(source="appointment_id", read_only=True, allow_null=True)

    class Meta:
        model = EveningSlot
        fields = ["id", "evening", "staff", "staff_name", "starts_at", "ends_at", "free", "family", "child", "carer",
                  "appointment", "booked_at"]
        read_only_fields = fields


class EveningFilterSerializer(serializers.Serializer):
    setting = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(required=False, choices=["open", "cancelled"])


class SlotFilterSerializer(serializers.Serializer):
    evening = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    staff = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    free = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true: only free slots; false: only booked.")


class BookSerializer(serializers.Serializer):
    child = ScopedRecordField(model=Child, scope=children_visible_to, help_text="The child whose family books; the first "
                              "carer who may be contacted is invited.")


class MoveSerializer(serializers.Serializer):
    to_slot = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A free slot of the same member of staff.")


class EveningViewSet(ReadViewSet):
    """Parents' evenings of the settings you work in."""

    serializer_class = EveningSerializer
    filter_serializer_class = EveningFilterSerializer

    def visible(self, actor: Any) -> QuerySet:
        return evenings.evenings_visible_to(actor).order_by("-starts_at", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"setting": "setting_id", "status": "status"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})


def _slots(actor: Any) -> QuerySet:
    qs = EveningSlot.objects.filter(evening__in=evenings.evenings_visible_to(actor)).select_related("staff__user")
    if not (policies.can_book_for_families(actor) or policies.can_run_evenings(actor)):
        # Staff taking part see their own slots; the whole evening is the office's and leaders'.
        qs = qs.filter(staff_id=actor.staff.pk if actor.staff else None)
    return qs.order_by("evening_id", "staff_id", "starts_at")


@extend_schema_view(
    book=extend_schema(request=BookSerializer, responses={201: SlotSerializer},
                       summary="Book a free slot for a child's family (the office, also after booking closes)",
                       description="Refused with a message on `slot` when it was taken meanwhile (rule taken) or the family "
                                   "already has a slot with that member of staff (one_per_staff)."),
    move=extend_schema(request=MoveSerializer, responses={200: SlotSerializer},
                       summary="Move a booking to another free slot of the same member of staff",
                       description="The appointment's time changes and its sequence rises. Answers the new slot."),
    cancel=extend_schema(request=None, responses={200: SlotSerializer}, summary="Cancel a booking: the slot is free again"),
)
class SlotViewSet(ReadViewSet):
    """Slots of parents' evenings, free or booked."""

    serializer_class = SlotSerializer
    filter_serializer_class = SlotFilterSerializer

    def visible(self, actor: Any) -> QuerySet:
        return _slots(actor)

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("evening"):
            queryset = queryset.filter(evening_id=params["evening"])
        if params.get("staff"):
            queryset = queryset.filter(staff_id=params["staff"])
        if params.get("free") is not None:
            queryset = queryset.filter(family__isnull=params["free"])
        return queryset

    @action(detail=True, methods=["post"])
    def book(self, request: Request, pk: str | None = None) -> Response:
        slot = self.get_object()
        policies.require_book_for_families(self.actor, slot.evening.setting_id)
        data = BookSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        child = data.validated_data["child"]
        booked = evenings.booking_create(by=self.actor.user, slot=slot, child=child, carer=evenings.first_carer(child), office=True)
        return Response(SlotSerializer(self.refetch(booked)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        slot = self.get_object()
        policies.require_book_for_families(self.actor, slot.evening.setting_id)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to = self.get_queryset().filter(pk=data.validated_data["to_slot"]).first()
        if to is None:
            raise serializers.ValidationError({"to_slot": ["Not found."]})
        new = evenings.booking_move(by=self.actor.user, booking=slot, to_slot=to, office=True)
        return Response(SlotSerializer(self.refetch(new)).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        slot = self.get_object()
        policies.require_book_for_families(self.actor, slot.evening.setting_id)
        evenings.booking_cancel(by=self.actor.user, booking=slot, office=True)
        return Response(SlotSerializer(self.refetch(slot)).data)


def register(router) -> None:
    router.register("parents-evenings", EveningViewSet, basename="parents-evening")
    router.register("parents-evening-slots", SlotViewSet, basename="parents-evening-slot")
