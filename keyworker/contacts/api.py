"""API v1 routes of the contacts app: contact logs at /api/v1/contacts/ (list, read, record, edit, void, flag).

The same rules and messages as the pages: the services decide. A restricted (safeguarding) contact is listed
with its id, family, setting and date, `restricted: true` and whom to talk to; its content is null for everyone
in lists, and only the safeguarding team of its setting reads it (GET /contacts/{id}/), each read logged.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts import restricted
from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID, BlankableModelSerializer, ScopedRecordField
from keyworker.core.api.views import WriteViewSet
from keyworker.core.conflicts import VERSION_HELP, VERSION_REQUIRED
from keyworker.core.errors import RuleViolation
from keyworker.people.models import Carer, Child, Family
from keyworker.people.selectors import carers_visible_to, children_visible_to, families_visible_to

from . import policies, selectors, services
from .models import (
    RECORDABLE_CHANNELS,
    AccessRoute,
    Channel,
    ContactLog,
    Direction,
    SafeguardingCategory,
    Tone,
    parse_absence_ref,
)
from .services import FOLLOW_UP_MAX, MIN_WORDS, REASON_MAX, WRITE_UP_MAX

urlpatterns: list = []

WRITE_UP_REQUIRED = f"Write at least a sentence about the contact ({MIN_WORDS} words or more): what was said and agreed."
CHANNEL_REQUIRED = "Choose how the contact was made."
TONE_REQUIRED = "Choose the tone of the contact: celebration, positive, neutral or concern."
DATE_REQUIRED = "Enter the date of the contact, for example 2026-11-18."
CATEGORY_REQUIRED = "Choose the kind of safeguarding concern, or “other”."
MAX_CHILDREN = 30
RESTRICTED_FIELDS = (
    "author", "author_name", "channel", "direction", "tone", "carer", "children", "write_up", "word_count", "follow_up",
    "follow_up_on", "used_preferred_method", "created_at", "edited_at", "voided_at", "void_reason", "safeguarding_category",
    "flagged_at", "absence",
)


CONTENT_FIELDS = ("write_up", "word_count", "follow_up", "follow_up_on")


# Serializers -----------------------------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "integer"}, "nullable": True,
                     "description": "null, not a list, on a restricted contact outside the reader's safeguarding team."})
class ChildIdsOrNullField(serializers.ManyRelatedField):
    """The ids of the children a contact was about; to_representation blanks it (None) on a restricted contact."""


class ContactSerializer(BlankableModelSerializer):
    author_name = serializers.CharField(source="author.user.full_name", read_only=True, allow_null=True)
    children = ChildIdsOrNullField(child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True)
    voided = serializers.BooleanField(source="is_voided", read_only=True, allow_null=True)
    restricted = serializers.BooleanField(
        source="is_restricted", read_only=True,
        help_text="A safeguarding concern: only the safeguarding team of its setting reads it. For anyone else every "
                  "other field is null except id, family, setting, happened_on and talk_to.",
    )
    talk_to = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="On a restricted contact you may not read: the name of the safeguarding lead to talk to.",
    )
    absence = serializers.CharField(
        source="absence_ref", read_only=True, allow_null=True,
        help_text="The unexplained absence it follows up, as abs<child id>-<YYYYMMDD>; empty when none.",
    )

    class Meta:
        model = ContactLog
        fields = [
            "id", "family", "setting", "happened_on", "restricted", "talk_to", "author", "author_name", "channel", "direction",
            "tone", "carer", "children", "write_up", "word_count", "follow_up", "follow_up_on", "used_preferred_method",
            "created_at", "edited_at", "voided", "voided_at", "void_reason", "safeguarding_category", "flagged_at", "version",
            "absence",
        ]
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in RESTRICTED_FIELDS if name not in ("author_name", "children")}

    def to_representation(self, instance: ContactLog) -> dict[str, Any]:
        """`readable` and `talk_to` are set by selectors.mark_readable; the context's "full" is the record itself."""
        data = super().to_representation(instance)
        readable = getattr(instance, "readable", False)
        data["talk_to"] = None
        if not instance.is_restricted or (readable and self.context.get("full", False)):
            return data
        # The team sees in a list what the record is, as on the list page; what it says only on the record (each read logged).
        for name in CONTENT_FIELDS if readable else RESTRICTED_FIELDS:
            data[name] = None
        if not readable:
            data["voided"] = None
            data["talk_to"] = getattr(instance, "talk_to", "") or None
        return data


def _choice(choices: list, message: str, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, error_messages={"required": message, "invalid_choice": message,
                                                                    "null": message}, **kwargs)


class ContactInputSerializer(serializers.Serializer):
    family = ScopedRecordField(model=Family, scope=families_visible_to, help_text="The family; one you may see.")
    happened_on = serializers.DateField(
        help_text="The day of the contact (ISO 8601); today or up to a year back, never in the future.",
        error_messages={"required": DATE_REQUIRED, "invalid": "Enter a real date, for example 2026-11-18.", "null": DATE_REQUIRED},
    )
    channel = _choice(RECORDABLE_CHANNELS, CHANNEL_REQUIRED)
    tone = _choice(Tone.choices, TONE_REQUIRED)
    write_up = serializers.CharField(
        allow_blank=True, max_length=WRITE_UP_MAX, trim_whitespace=True,
        help_text=f"What was said and agreed: {MIN_WORDS} words or more.",
        error_messages={"required": WRITE_UP_REQUIRED, "null": WRITE_UP_REQUIRED,
                        "max_length": f"Keep the write-up to {WRITE_UP_MAX} characters or fewer."},
    )
    direction = _choice(Direction.choices, "Choose who made the contact.", required=False, default=Direction.FROM_SCHOOL)
    carer = ScopedRecordField(model=Carer, scope=carers_visible_to, required=False, allow_null=True,
                              help_text="The carer spoken or written to; one without a no-contact restriction.")
    children = ScopedRecordField(
        model=Child, scope=children_visible_to, many=True, required=False,
        help_text="Ids of the family's children it was about; empty when about the whole family.",
    )
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=FOLLOW_UP_MAX, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    safeguarding_category = serializers.ChoiceField(
        choices=SafeguardingCategory.choices, required=False, allow_blank=True, default="",
        help_text="Set to flag the contact as a safeguarding concern at once: it becomes restricted and the safeguarding "
                  "team is told. It cannot be undone.",
        error_messages={"invalid_choice": CATEGORY_REQUIRED},
    )
    absence = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default="",
        help_text="The unexplained absence it follows up (which challenges it), as abs<child id>-<YYYYMMDD>: a child of "
                  "the family, absent without a reason that day, the contact dated on or after it.",
    )

    def to_internal_value(self, data: Any) -> Any:
        # Each child id is one lookup: a family has a handful of children, so a long list is refused before them.
        children = data.get("children") if hasattr(data, "get") else None
        if isinstance(children, list) and len(children) > MAX_CHILDREN:
            raise serializers.ValidationError({"children": [f"Choose {MAX_CHILDREN} children at most."]}, code="max_length")
        return super().to_internal_value(data)


class ContactEditSerializer(ContactInputSerializer):
    """The same fields without the family (a contact stays with its family) and without the flag (its own action)."""

    family = None
    safeguarding_category = None
    absence = None
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP,
                                       error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED})


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX, help_text="Why the contact is voided; it stays in the record and no longer counts.",
        error_messages={"required": "Enter why this contact is voided, for example “Recorded against the wrong family”.",
                        "blank": "Enter why this contact is voided, for example “Recorded against the wrong family”."},
    )


class FlagSerializer(serializers.Serializer):
    safeguarding_category = serializers.ChoiceField(
        choices=SafeguardingCategory.choices,
        error_messages={"required": CATEGORY_REQUIRED, "invalid_choice": CATEGORY_REQUIRED, "null": CATEGORY_REQUIRED},
    )


def _id_param(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


class ContactFilterSerializer(serializers.Serializer):
    family = _id_param("Only contacts with this family.")
    staff = _id_param("Only contacts this staff member recorded, or with the families they are key worker for.")
    class_ = _id_param("Only contacts with the families of the children in this class or room.")
    tone = serializers.ChoiceField(choices=Tone.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    date_from = serializers.DateField(required=False, help_text="Contacts on this day or later.")
    date_to = serializers.DateField(required=False, help_text="Contacts on this day or earlier.")
    voided = serializers.BooleanField(required=False, help_text="false: leave out voided contacts.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": "The end date cannot be before the start date."})
        return attrs


# Views -----------------------------------------------------------------------------------------------------

WRITE_RULES = (
    "The same rules and messages as the page: 400 with one message per field, e.g. write_up (fewer than 5 words), "
    "happened_on (in the future, rule future_date), carer (a no-contact restriction, rule no_contact; another family's, "
    "rule carer_family), family (\"Not found.\" outside your scope)."
)


@extend_schema_view(
    list=extend_schema(summary="Contacts you may see, newest first, filtered"),
    retrieve=extend_schema(summary="One contact (a restricted one in full only for the safeguarding team; each read is logged)",
                           description="A restricted contact needs a fresh confirmation (a token issued with a second "
                                       "factor in the last 15 minutes, or a session that confirmed the password in the "
                                       "last 15 minutes); otherwise 403 with code confirmation_required."),
    create=extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer}, summary="Record a contact",
                         description=WRITE_RULES + " With safeguarding_category the contact is flagged at once."),
    update=extend_schema(request=ContactEditSerializer, responses={200: ContactSerializer}, summary="Correct a contact",
                         description="Its author only (403 otherwise). `version` is required: the one you read; if the "
                                     "contact was saved since, 409 with the saved contact in `current`, nothing saved. "
                                     "Every edit keeps the previous version as a revision. " + WRITE_RULES),
    partial_update=extend_schema(request=ContactEditSerializer, responses={200: ContactSerializer},
                                 summary="Correct part of a contact", description="As PUT; fields left out keep their value."),
    void=extend_schema(request=VoidSerializer, responses={200: ContactSerializer},
                       summary="Void a contact with a reason (leaders; a restricted one also needs the safeguarding team)"),
    flag=extend_schema(request=FlagSerializer, responses={200: ContactSerializer},
                       summary="Flag a contact as a safeguarding concern (its author or the safeguarding team; one way)"),
)
class ContactLogViewSet(WriteViewSet):
    """Contact logs with the families you may see (SCH-4, CC-K7)."""

    serializer_class = ContactSerializer
    filter_serializer_class = ContactFilterSerializer
    returns_restricted = True  # the schema documents the 403 "confirmation_required"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible(self, actor: Actor) -> QuerySet:
        scoped = selectors.contacts_for_list(actor) if self.action == "list" else selectors.contacts_visible_to(actor)
        return selectors.with_details(scoped).order_by("-happened_on", "-created_at", "-id")

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return selectors.contacts_filter(
            queryset, tone=params.get("tone", ""), channel=params.get("channel", ""), family_id=params.get("family"),
            date_from=params.get("date_from"), date_to=params.get("date_to"), staff_id=params.get("staff"),
            group_id=params.get("class"), include_voided=params.get("voided", True), actor=self.actor,
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return ContactInputSerializer
        if self.action in ("update", "partial_update"):
            return ContactEditSerializer
        return ContactSerializer

    def _out(self, contacts: list[ContactLog], *, full: bool = False) -> Any:
        selectors.mark_readable(self.actor, contacts, always=not full)
        if full and any(c.is_restricted and c.readable for c in contacts) and not restricted.may_read(self.request):
            full = False  # after a write without a fresh confirmation: what the record is, not what it says
        return ContactSerializer(contacts, many=True, context={"full": full}).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._out(list(page)))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        selectors.mark_readable(self.actor, [contact])
        if contact.is_restricted and contact.readable and not restricted.may_read(request):
            services.contact_access_record(actor=self.actor, contact=contact, route=AccessRoute.API, allowed=False)
            raise restricted.ConfirmationRequired()
        data = self._out([contact], full=True)[0]
        if contact.is_restricted and contact.readable:
            services.contact_access_record(actor=self.actor, contact=contact, route=AccessRoute.API)
        return Response(data)

    def conflict_current(self, record: ContactLog) -> Any:
        fresh = self.get_queryset().filter(pk=record.pk).first() or record
        return self._out([fresh], full=True)[0]

    def _respond(self, contact: ContactLog, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=contact.pk).first() or contact
        return Response(self._out([fresh], full=True)[0], status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ContactInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["absence_child"], data["absence_on"] = self._absence(data.pop("absence", ""))
        contact = services.contact_record(actor=self.actor, **data)
        return self._respond(contact, status.HTTP_201_CREATED)

    def _absence(self, ref: str) -> tuple[Child | None, Any]:
        """The child (one the actor may see) and day of an absence reference; the service checks the rest."""
        if not ref:
            return None, None
        parsed = parse_absence_ref(ref)
        child = children_visible_to(self.actor).filter(pk=parsed[0]).first() if parsed and parsed[0] <= MAX_ID else None
        if child is None:
            raise RuleViolation("Name an unexplained absence of one of the family's children, as abs<child id>-<YYYYMMDD>.",
                                rule="absence", field="absence")
        return child, parsed[1]

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        contact = self.get_object()
        if self.actor.staff.pk != contact.author_id:
            raise PermissionDenied("Only the person who recorded a contact can edit it.")
        if contact.is_restricted:
            raise RuleViolation("This contact is a safeguarding record, so it cannot be edited: talk to the safeguarding lead.",
                                rule="restricted")
        serializer = ContactEditSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version")
        if version is None:
            raise serializers.ValidationError({"version": [VERSION_REQUIRED]}, code="required")
        current = {
            "happened_on": contact.happened_on, "channel": contact.channel, "tone": contact.tone, "write_up": contact.write_up,
            "direction": contact.direction, "carer": contact.carer, "children": list(contact.children.all()),
            "follow_up": contact.follow_up, "follow_up_on": contact.follow_up_on,
        }
        given = {k: v for k, v in serializer.validated_data.items() if (not partial or k in request.data) and k != "version"}
        services.contact_edit(actor=self.actor, contact=contact, expected_version=version, **{**current, **given})
        return self._respond(contact)

    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        policies.require_void(self.actor, contact)
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contact_void(actor=self.actor, contact=contact, reason=serializer.validated_data["reason"])
        return self._respond(contact)

    @action(detail=True, methods=["post"])
    def flag(self, request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        serializer = FlagSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contact_flag(actor=self.actor, contact=contact, category=serializer.validated_data["safeguarding_category"])
        return self._respond(contact)


def register(router) -> None:
    from . import message_api

    router.register("contacts", ContactLogViewSet, basename="contact")
    message_api.register(router)

