"""API v1 routes of the meetings app: appointments at /api/v1/appointments/ (list, read, arrange, change or
reschedule, cancel, invite more people, record attendance and notes) and their invitees at
/api/v1/appointment-invitees/ (list, read, record an answer). Reads are scoped; writes go through the services, with
a message per field."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core.api.fields import MAX_ID, BlankableModelSerializer, ScopedRecordField
from keyworker.core.api.views import ReadViewSet
from keyworker.core.conflicts import VERSION_HELP
from keyworker.organisations.models import Setting
from keyworker.people.models import Carer, Child, Family
from keyworker.people.selectors import children_visible_to, families_visible_to

from . import selectors, services
from .models import Appointment, AppointmentKind, AppointmentStatus, Invitee, Rsvp

urlpatterns: list = []


class InviteeSerializer(BlankableModelSerializer):
    appointment = serializers.IntegerField(source="appointment_id", read_only=True)
    carer = serializers.IntegerField(source="carer_id", read_only=True, allow_null=True)
    staff = serializers.IntegerField(source="staff_id", read_only=True, allow_null=True)

    class Meta:
        model = Invitee
        fields = ["id", "appointment", "kind", "role", "carer", "staff", "name", "email", "organisation_name", "rsvp",
                  "rsvp_at", "attended"]
        read_only_fields = fields


class AppointmentSerializer(BlankableModelSerializer):
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True, allow_null=True)
    child = serializers.IntegerField(source="child_id", read_only=True, allow_null=True)
    time_zone = serializers.CharField(source="setting.time_zone", read_only=True)
    invitees = InviteeSerializer(many=True, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text=VERSION_HELP)

    class Meta:
        model = Appointment
        fields = ["id", "setting", "kind", "title", "family", "child", "starts_at", "ends_at", "time_zone", "place",
                  "video_link", "status", "notes", "cancelled_at", "cancellation_reason", "uid", "sequence", "version",
                  "invitees"]
        read_only_fields = fields


class ProfessionalSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


def _ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                 default=list, max_length=50, help_text=help_text)


class InviteesInSerializer(serializers.Serializer):
    carers = _ids("Carers of the appointment's family (none under a no-contact restriction).")
    staff = _ids("Staff of your organisation.")
    professionals = ProfessionalSerializer(many=True, required=False, default=list)


class AppointmentCreateSerializer(InviteesInSerializer):
    setting = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A setting you work in.")
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)
    title = serializers.CharField(max_length=services.TITLE_MAX)
    family = ScopedRecordField(model=Family, scope=families_visible_to, required=False, allow_null=True, default=None)
    child = ScopedRecordField(model=Child, scope=children_visible_to, required=False, allow_null=True, default=None)
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-08T15:30:00+00:00.")
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=services.PLACE_MAX, required=False, allow_blank=True, default="")
    video_link = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppointmentChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    kind = serializers.ChoiceField(choices=AppointmentKind.choices, required=False)
    title = serializers.CharField(max_length=services.TITLE_MAX, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(max_length=services.PLACE_MAX, required=False, allow_blank=True)
    video_link = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class AttendedSerializer(serializers.Serializer):
    invitee = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    attended = serializers.BooleanField(allow_null=True)


class AttendanceSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    attended = AttendedSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(max_length=services.NOTES_MAX, required=False, allow_blank=True, default="")


class RsvpSerializer(serializers.Serializer):
    rsvp = serializers.ChoiceField(choices=[(v, label) for v, label in Rsvp.choices if v != Rsvp.AWAITING])


class AppointmentFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AppointmentKind.choices, required=False)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    family = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    starts_from = serializers.DateField(required=False, help_text="Only those starting on or after this day (UTC).")
    starts_before = serializers.DateField(required=False, help_text="Only those starting before this day (UTC).")


class InviteeFilterSerializer(serializers.Serializer):
    appointment = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    rsvp = serializers.ChoiceField(choices=Rsvp.choices, required=False)


def _people(actor: Actor, data: dict) -> dict:
    """Ids to rows, within the organisation: anyone else is refused on their field."""
    carers = list(Carer.objects.filter(pk__in=data.get("carers") or [], organisation_id=actor.organisation_id))
    staff = list(StaffMember.objects.filter(pk__in=data.get("staff") or [], organisation_id=actor.organisation_id))
    errors = {}
    if len(carers) != len(set(data.get("carers") or [])):
        errors["carers"] = ["Invite carers of this family only: one of them is not one of them."]
    if len(staff) != len(set(data.get("staff") or [])):
        errors["staff"] = ["Invite staff of this organisation only: one of them does not work here."]
    if errors:
        raise ValidationError(errors)
    return {"carers": carers, "staff": staff,
            "professionals": [services.Professional(p["name"], p.get("email", ""), p.get("organisation_name", ""))
                              for p in data.get("professionals") or []]}


def _per_field(call):
    """A service's refusal of several fields at once, as the API's message per field."""
    try:
        return call()
    except services.AppointmentInvalid as exc:
        raise ValidationError(exc.as_dict()) from None


@extend_schema_view(
    create=extend_schema(request=AppointmentCreateSerializer, responses={201: AppointmentSerializer},
                         summary="Arrange an appointment and invite people; invited carers are e-mailed"),
    partial_update=extend_schema(request=AppointmentChangeSerializer, responses={200: AppointmentSerializer},
                                 summary="Change or reschedule (send the version you read); carers are told of a new time or place"),
    cancel=extend_schema(request=CancelSerializer, responses={200: AppointmentSerializer}, summary="Cancel, with a reason"),
    invite=extend_schema(request=InviteesInSerializer, responses={200: AppointmentSerializer}, summary="Invite more people"),
    attendance=extend_schema(request=AttendanceSerializer, responses={200: AppointmentSerializer},
                             summary="After the meeting: who came and what was agreed"),
)
class AppointmentViewSet(ReadViewSet):
    """Appointments with families you may see, those you organise or are invited to, and all of the settings you lead."""

    serializer_class = AppointmentSerializer
    filter_serializer_class = AppointmentFilterSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        return selectors.with_details(selectors.appointments_visible_to(actor)).order_by("starts_at", "id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"kind": "kind", "status": "status", "family": "family_id"}
        qs = queryset.filter(**{lookups[k]: v for k, v in params.items() if k in lookups})
        if "starts_from" in params:
            qs = qs.filter(starts_at__gte=dt.datetime.combine(params["starts_from"], dt.time.min, tzinfo=dt.UTC))
        if "starts_before" in params:
            qs = qs.filter(starts_at__lt=dt.datetime.combine(params["starts_before"], dt.time.min, tzinfo=dt.UTC))
        return qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AppointmentCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        d = data.validated_data
        setting = Setting.objects.filter(pk=d["setting"], organisation_id=self.actor.organisation_id).first()
        if setting is None:
            raise ValidationError({"setting": ["Not found."]})
        appointment = _per_field(lambda: services.appointment_create(
            actor=self.actor, setting=setting, kind=d["kind"], title=d["title"], family=d["family"], child=d["child"],
            starts_at=d["starts_at"], ends_at=d["ends_at"], place=d["place"], video_link=d["video_link"],
            **_people(self.actor, d)))
        return Response(AppointmentSerializer(self.refetch(appointment)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        appointment = self.get_object()
        data = AppointmentChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        _per_field(lambda: services.appointment_change(
            actor=self.actor, appointment=appointment, version=d["version"], kind=d.get("kind", appointment.kind),
            title=d.get("title", appointment.title), starts_at=d.get("starts_at", appointment.starts_at),
            ends_at=d.get("ends_at", appointment.ends_at), place=d.get("place", appointment.place),
            video_link=d.get("video_link", appointment.video_link)))
        return Response(AppointmentSerializer(self.refetch(appointment)).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appointment_cancel(actor=self.actor, appointment=appointment, reason=data.validated_data["reason"],
                                    version=data.validated_data["version"])
        return Response(AppointmentSerializer(self.refetch(appointment)).data)

    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        data = InviteesInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _per_field(lambda: services.invitee_add(actor=self.actor, appointment=appointment, **_people(self.actor, data.validated_data)))
        return Response(AppointmentSerializer(self.refetch(appointment)).data)

    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        appointment = self.get_object()
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        services.attendance_record(actor=self.actor, appointment=appointment, version=d["version"], notes=d["notes"],
                                   attended={row["invitee"]: row["attended"] for row in d["attended"]})
        return Response(AppointmentSerializer(self.refetch(appointment)).data)


@extend_schema_view(
    rsvp=extend_schema(request=RsvpSerializer, responses={200: InviteeSerializer},
                       summary="Record an invitee's answer on their behalf: coming, not coming or maybe"),
)
class InviteeViewSet(ReadViewSet):
    """The people invited to the appointments you may see, with their answers and attendance."""

    serializer_class = InviteeSerializer
    filter_serializer_class = InviteeFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (Invitee.objects.filter(appointment__in=selectors.appointments_visible_to(actor))
                .select_related("appointment__setting", "carer", "staff__user").order_by("appointment_id", "kind", "id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"appointment": "appointment_id", "rsvp": "rsvp"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @action(detail=True, methods=["post"])
    def rsvp(self, request: Request, pk: str | None = None) -> Response:
        invitee = self.get_object()
        data = RsvpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rsvp_record(actor=self.actor, invitee=invitee, rsvp=data.validated_data["rsvp"])
        return Response(InviteeSerializer(self.refetch(invitee)).data)


def register(router) -> None:
    router.register("appointments", AppointmentViewSet, basename="appointment")
    router.register("appointment-invitees", InviteeViewSet, basename="appointment-invitee")
