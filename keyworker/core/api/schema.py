"""OpenAPI: the X-Organisation header and the JSON error bodies, added to every operation."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .access import ORGANISATION_HEADER

ORGANISATION_PARAMETER = OpenApiParameter(
    name=ORGANISATION_HEADER,
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Id of one of your organisations to act in (see /api/v1/me/); without it, your first organisation.",
)


class ValidationErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per input field; "non_field_errors" for the request as a whole. A field of an object in a '
                  'list is named by its path, e.g. "marks.0.code"; a field holding a list or a mapping of values keeps '
                  'their messages under its own name ("item 2: …").',
    )
    codes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="A machine-readable code for each message, in the same order (the rule's code for a rule refusal).",
    )
    rule = serializers.CharField(
        required=False, help_text="Present when a business rule refused the action, e.g. class_team."
    )


class DetailErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who saved the record in between, and when.")
    code = serializers.CharField(help_text='Always "conflict".')
    current = serializers.DictField(help_text="The saved record, as a GET answers it (with its new version).")
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)


class ConfirmationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text='"confirmation_required": restricted records need a fresh '
                                 "confirmation (a token issued with a second factor within 15 minutes, or a session "
                                 "that confirmed the password within 15 minutes).")


class ApiSchema(AutoSchema):
    """Adds the organisation header, a list's query parameters and the error responses to each operation."""

    @property
    def public(self) -> bool:
        return self.method in getattr(self.view, "public_methods", ())

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        filters = getattr(self.view, "filter_serializer_class", None)
        if filters is not None and getattr(self.view, "action", None) == "list":
            params.append(filters)
        if getattr(self.view, "acts_in_organisation", True):
            params.append(ORGANISATION_PARAMETER)
        return params

    def _validates_query(self) -> bool:
        """A list with filters, or a view whose query parameters come from a serializer: bad values are a 400."""
        if getattr(self.view, "filter_serializer_class", None) is not None and getattr(self.view, "action", None) == "list":
            return True
        return self.method == "GET" and any(
            isinstance(p, serializers.BaseSerializer) or (isinstance(p, type) and issubclass(p, serializers.BaseSerializer))
            for p in self.get_override_parameters()
        )

    def _sends_version(self) -> bool:
        """Edits, and actions that send the `version` they read (cancel, record attendance…), answer 409 on a clash."""
        if self.method in ("PUT", "PATCH"):
            return True
        if self.method != "POST":
            return False
        request = self.get_request_serializer()
        request = force_instance(request)
        return isinstance(request, serializers.Serializer) and "version" in request.fields

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors: dict[str, OpenApiResponse] = {}
        if self.method in ("POST", "PUT", "PATCH") or self._validates_query():
            errors["400"] = OpenApiResponse(ValidationErrorSerializer, description="Invalid input, one message per field.")
        if not self.public:
            errors["401"] = OpenApiResponse(DetailErrorSerializer, description="Not signed in.")
            errors["403"] = OpenApiResponse(
                DetailErrorSerializer, description="Not a member of staff, or lacking the capability for this action."
            )
            if getattr(self.view, "returns_restricted", False):
                errors["403"] = OpenApiResponse(ConfirmationErrorSerializer, description=(
                    "Not a member of staff, or lacking the capability; or, with code \"confirmation_required\", a "
                    "restricted record without a fresh confirmation (see Restricted records above)."))
        if self._sends_version():
            errors["409"] = OpenApiResponse(ConflictErrorSerializer, description=(
                "Someone saved the record after the `version` you sent: nothing saved; the saved record is in `current`."))
        if "{" in self.path:
            errors["404"] = OpenApiResponse(DetailErrorSerializer, description="No such record within your scope.")
        elif not self.public:
            # Some operations look up a record the request names (a child in the query, a setting in the body), or
            # hide a whole list from those outside a team (safeguarding concerns), exactly as a missing record.
            errors["404"] = OpenApiResponse(DetailErrorSerializer, description=(
                "A record the request names is not within your scope, or this list is not yours to see."))
        for code, response in errors.items():
            responses.setdefault(code, self._get_response_for_code(response, code, direction=direction))
        return responses
