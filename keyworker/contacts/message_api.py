"""API v1: portal messages at /api/v1/messages/ for staff: list a family's (`?family=`), write to a carer, mark a
carer's message read. The same rules and messages as the pages; a family outside your scope is 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Carer
from keyworker.people.selectors import families_visible_to

from .messages import BODY_REQUIRED, BODY_TOO_LONG, MESSAGE_MAX, message_reply, messages_mark_read
from .models import PortalMessage
from .selectors import mark_readable


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text="Null for a message flagged as a safeguarding concern, unless "
                                                        "you read it on its contact's page.")
    restricted = serializers.SerializerMethodField()
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    answered_by = serializers.IntegerField(source="answered_by_id", read_only=True, allow_null=True)

    class Meta:
        model = PortalMessage
        fields = ["id", "family", "carer", "contact", "from_family", "author_name", "body", "restricted", "sent_at",
                  "deliver_at", "read_at", "answered_by"]
        read_only_fields = fields

    def get_author_name(self, m: PortalMessage) -> str:
        return m.contact.author.user.full_name if m.contact.author_id else m.carer.full_name

    def get_body(self, m: PortalMessage) -> str | None:
        return None if m.contact.is_restricted else m.contact.write_up

    def get_restricted(self, m: PortalMessage) -> bool:
        return m.contact.is_restricted


class MessageFilterSerializer(serializers.Serializer):
    family = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="One family's messages.")


class MessageInputSerializer(serializers.Serializer):
    family = serializers.IntegerField(min_value=1, max_value=MAX_ID, error_messages={"required": "Name the family."})
    carer = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                     error_messages={"required": "Choose one of this family's carers to write to."})
    body = serializers.CharField(max_length=MESSAGE_MAX, error_messages={"required": BODY_REQUIRED, "blank": BODY_REQUIRED,
                                                                         "max_length": BODY_TOO_LONG})
    send_now = serializers.BooleanField(required=False, default=False,
                                        help_text="Out of hours, send at once rather than at the next opening.")


@extend_schema_view(
    list=extend_schema(summary="Portal messages with the families you may see, oldest first (filter with ?family=)"),
    retrieve=extend_schema(summary="One portal message"),
    create=extend_schema(request=MessageInputSerializer, responses={201: MessageSerializer},
                         summary="Write to one of a family's carers through the portal (answers their waiting messages)",
                         description="400 with a message per field (body empty or too long; carer not of this family, "
                                     "rule carer_family; a no-contact restriction, rule no_contact); a family outside "
                                     "your scope is 404. Written out of hours it is held until the next opening unless "
                                     "send_now."),
    read=extend_schema(request=None, responses={200: MessageSerializer}, summary="Mark a carer's message read"),
)
class MessageViewSet(ReadViewSet):
    """Messages between carers and staff through the carers' portal (each one is also a contact log)."""

    serializer_class = MessageSerializer
    filter_serializer_class = MessageFilterSerializer
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        if not actor.is_member:
            return PortalMessage.objects.none()
        return (PortalMessage.objects.filter(organisation_id=actor.organisation_id,
                                             family_id__in=families_visible_to(actor).values("id"))
                .select_related("contact__author__user", "carer").order_by("sent_at", "id"))

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("family"):
            queryset = queryset.filter(family_id=params["family"])
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        family = families_visible_to(self.actor).filter(pk=data.validated_data["family"]).first()
        if family is None:
            raise Http404
        carer = Carer.objects.filter(family_id=family.pk, pk=data.validated_data["carer"]).first()
        message = message_reply(actor=self.actor, family=family, carer=carer, body=data.validated_data["body"],
                                send_now=data.validated_data["send_now"])
        return Response(MessageSerializer(self.refetch(message)).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        message = self.get_object()
        mark_readable(self.actor, [message.contact])
        messages_mark_read(actor=self.actor, family=message.family, message_ids=[message.pk])
        return Response(MessageSerializer(self.refetch(message)).data)


def register(router) -> None:
    router.register("messages", MessageViewSet, basename="message")
