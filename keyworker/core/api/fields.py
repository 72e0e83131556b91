"""Foreign keys in input, resolved only among the records the acting user's organisation holds."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
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
