"""API v1 routes of calendars and reminders: the signed-in member of staff's calendar address (get, make a new one)
and the reminders of one appointment (who was reminded, how, when)."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.schema import ApiSchema

from . import calendars, policies
from .calendars_views import visible_appointment
from .models_reminders import AppointmentReminder


class CalendarAddressSerializer(serializers.Serializer):
    address = serializers.URLField(help_text="The private iCalendar feed address: add it to a calendar program.")
    created_at = serializers.DateTimeField()


class ReminderSerializer(serializers.ModelSerializer):
    appointment = serializers.IntegerField(source="appointment_id", read_only=True)
    carer = serializers.IntegerField(source="carer_id", read_only=True)
    carer_name = serializers.CharField(source="carer.full_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    key_worker = serializers.IntegerField(source="key_worker_id", read_only=True, allow_null=True)
    done_by = serializers.IntegerField(source="done_by_id", read_only=True, allow_null=True)
    # Plain text (the carer's preferred contact method and the reminder's state), so that these choice sets do not
    # collide in the schema with the other "channel" and "state" fields of the API.
    channel = serializers.CharField(read_only=True, help_text="email, phone, messaging_app, face_to_face or letter")
    state = serializers.CharField(read_only=True, help_text="sent (e-mailed), to_do (a task for the key worker) or done")

    class Meta:
        model = AppointmentReminder
        fields = ["id", "appointment", "carer", "carer_name", "family", "channel", "state", "due_on", "key_worker",
                  "created_at", "done_at", "done_by"]
        read_only_fields = fields


def _member(request: Request):
    actor = request_actor(request)
    if not policies.may_have_calendar(actor):
        raise Http404
    return actor


def _address(feed) -> dict:
    return CalendarAddressSerializer({"address": calendars.feed_url(feed), "created_at": feed.created_at}).data


class CalendarAddressView(APIView):
    schema = ApiSchema()

    @extend_schema(responses={200: CalendarAddressSerializer}, summary="Your calendar address (made on first asking)",
                   description="The signed-in member of staff's private iCalendar feed of the appointments they are "
                               "invited to or arranged.")
    def get(self, request: Request) -> Response:
        actor = _member(request)
        return Response(_address(calendars.calendar_feed_get(user=request.user, staff=actor.staff, now=clock.now())))

    @extend_schema(request=None, responses={201: CalendarAddressSerializer}, summary="Make a new calendar address",
                   description="The old address stops working at once (it answers 404).")
    def post(self, request: Request) -> Response:
        actor = _member(request)
        feed = calendars.calendar_feed_rotate(user=request.user, staff=actor.staff, now=clock.now())
        return Response(_address(feed), status=status.HTTP_201_CREATED)


class AppointmentRemindersView(APIView):
    schema = ApiSchema()

    @extend_schema(responses={200: ReminderSerializer(many=True)}, summary="The reminders of one appointment (SCH-6)",
                   description="One per invited carer: sent by e-mail, or a task for the key worker (to_do, then done). "
                               "404 for an appointment outside your scope.")
    def get(self, request: Request, appointment_id: int) -> Response:
        actor = _member(request)
        appointment = visible_appointment(actor, appointment_id)
        rows = AppointmentReminder.objects.filter(appointment=appointment).select_related("carer").order_by("id")
        return Response(ReminderSerializer(rows, many=True).data)


urlpatterns = [
    path("calendar/address/", CalendarAddressView.as_view(), name="calendar-address"),
    path("appointments/<int:appointment_id>/reminders/", AppointmentRemindersView.as_view(), name="appointment-reminders"),
]


def register(router) -> None:
    return None
