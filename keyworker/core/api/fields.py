"""Foreign keys in input, resolved only among the records the acting user's organisation holds; fields that may
answer "" (an optional address or choice), described as such in the schema."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .access import request_actor

MAX_ID = 2**63 - 1


class ScopedRecordField(serializers.PrimaryKeyRelatedField):
    """An id of a record in `scope(actor)`; any other id (another organisation's, say) is "Not found.".

    `scope` is a selector of the app that owns the records: it takes the acting user and answers a queryset.
    """

    default_error_messages = {
        "required": "This field is required.",
        "does_not_exist": "Not found.",
        "incorrect_type": "Give the id as a whole number.",
    }

    def __init__(self, *, model: type[Model], scope: Callable[[Any], QuerySet], **kwargs: Any) -> None:
        self.scope = scope
        # The empty queryset only tells the schema which model the ids refer to; lookups use `scope`.
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.scope(request_actor(request))

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= pk <= MAX_ID:
            self.fail("does_not_exist", pk_value=pk)
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            self.fail("does_not_exist", pk_value=pk)
        return obj


def _or_blank(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


@extend_schema_field(_or_blank({"type": "string", "format": "email"}))
class OptionalEmailField(serializers.EmailField):
    """An e-mail address, or "" when there is none (the schema says so, instead of promising an address)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


@extend_schema_field(_or_blank({"type": "string", "format": "uri"}))
class OptionalURLField(serializers.URLField):
    """A web address, or "" when there is none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class OptionalChoiceField(serializers.ChoiceField):
    """One of the choices, or "" when none was chosen (the schema's enum then includes "")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class BlankableModelSerializer(serializers.ModelSerializer):
    """A model serializer whose fields for blank model fields say in the schema that "" is a value they answer.

    DRF drops `allow_blank` from read-only fields, so the schema of an optional e-mail address, web address or choice
    promised a valid one where the record holds "". Here such fields keep "" in their schema.
    """

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if getattr(model_field, "blank", False):
            if issubclass(field_class, serializers.ChoiceField):
                field_class = OptionalChoiceField
            elif issubclass(field_class, serializers.EmailField):
                field_class = OptionalEmailField
            elif issubclass(field_class, serializers.URLField):
                field_class = OptionalURLField
        return field_class, kwargs
