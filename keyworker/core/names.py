"""One cleaner for the names people type or import (children, carers, families, staff, groups, settings,
organisations): Unicode NFC, so "Zoë" typed with a combining diaeresis is the same Zoë, and no invisible or
direction-changing characters, which would let two names look alike or a name reorder the text around it."""

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

# Right-to-left and left-to-right embeddings, overrides and isolates.
BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
ZERO_WIDTH = frozenset({"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"})


def name_problem(value: str) -> str | None:
    """Why a name cannot be kept as typed, in words for the person typing it; None when it is fine."""
    for ch in value:
        if ch in BIDI_CONTROLS:
            return "Remove the hidden text-direction character (often pasted from another document)."
        if ch in ZERO_WIDTH:
            return "Remove the invisible zero-width character (often pasted from another document)."
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return "A name cannot contain a line break, a tab or another control character."
    return None


def clean_name(value: str) -> str:
    """The name in NFC with surrounding spaces removed; ValidationError when it holds a character refused above."""
    value = unicodedata.normalize("NFC", value or "")
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem, code="name_characters")
    return value.strip()


def clean_names(data: dict[str, Any], fields: Iterable[str]) -> dict[str, list[str]]:
    """Clean the named fields of `data` in place; the problems, per field."""
    errors: dict[str, list[str]] = {}
    for field in fields:
        if isinstance(data.get(field), str):
            try:
                data[field] = clean_name(data[field])
            except ValidationError as exc:
                errors[field] = exc.messages
    return errors


class NameFieldsFormMixin:
    """A form whose `name_fields` are cleaned with `clean_name` (an error under the field when refused)."""

    name_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        for field, messages in clean_names(data, self.name_fields).items():
            self.add_error(field, messages)  # type: ignore[attr-defined]
        return data


class NameFieldsSerializerMixin:
    """A serializer whose `name_fields` are cleaned with `clean_name`: `{"errors": {field: [...]}}` when refused."""

    name_fields: tuple[str, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        from rest_framework import serializers

        attrs = super().to_internal_value(data)  # type: ignore[misc]
        errors = clean_names(attrs, self.name_fields)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
