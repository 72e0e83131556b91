"""JSON errors: {"errors": {field: [message]}, "codes": {field: [code]}} for 400, {"detail": message} otherwise.

Every field has one flat list of messages: a field inside an object of the input (an item of a list of objects) is
named by its path, "marks.0.code"; a list of plain values has its items' messages under its own name, "item 2: …".
A client (and the OpenAPI schema) never meets nested error objects.

An edit sent with an older `version` than the saved one is a 409 {"detail", "code": "conflict", "current": the saved
record, "changed_by", "changed_at"}: nothing is saved.

A refusal by a business rule (RuleViolation from a service) is a 400 whose field is the rule's field (or
"non_field_errors") and which names the rule in "rule" and in "codes".

A refusal that names its reason (a CodedRefusal, e.g. a restricted record without a fresh confirmation) is a 403
{"detail", "code"}.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from keyworker.core.conflicts import EditConflict
from keyworker.core.errors import RuleViolation

NON_FIELD = "non_field_errors"


class CodedRefusal(exceptions.PermissionDenied):
    """403 {"detail": "...", "code": <default_code>}: a refusal whose reason a client acts on."""


def _nested(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value))


def _flatten(detail: Any, prefix: str, into: dict[str, list], label: Callable[[Any, Any], Any], item: bool = False) -> None:
    """Messages of nested serializers by path: {"marks": [{}, {"code": [...]}]} is {"marks.1.code": [...]}. A field
    holding plain values (a list, a mapping, one nested object) keeps its values' messages under its own name, each
    labelled with its key: {"areas": {0: [...]}} is {"areas": ["item 0: ..."]}."""
    if isinstance(detail, dict):
        under_a_field = prefix and not item and not any(_nested(v) for v in detail.values())
        for key, value in detail.items():
            if under_a_field:
                messages = value if isinstance(value, list) else [value]
                into.setdefault(prefix, []).extend(label(key, m) for m in messages)
            else:
                # An index (DRF keys a list's errors by position): the object at that position, named by path.
                _flatten(value, f"{prefix}.{key}" if prefix else str(key), into, label, item=str(key).isdigit())
    elif _nested(detail):
        for index, value in enumerate(detail):
            if _nested(value):
                _flatten(value, f"{prefix}.{index}" if prefix else str(index), into, label, item=True)
            else:
                _flatten(value, prefix, into, label)
    elif isinstance(detail, list):
        into.setdefault(prefix or NON_FIELD, []).extend(detail)
    else:
        into.setdefault(prefix or NON_FIELD, []).append(detail)


def _as_field_dict(detail: Any, label: Callable[[Any, Any], Any] = lambda _key, message: message) -> dict[str, list]:
    flat: dict[str, list] = {}
    _flatten(detail, "", flat, label)
    return flat


def _item_message(key: Any, message: Any) -> str:
    return f"item {key}: {message}" if str(key).isdigit() else f"{key}: {message}"


def _printable(detail: Any) -> Any:
    """Messages may quote the input (e.g. an unknown choice); a lone surrogate in it cannot be encoded as UTF-8."""
    if isinstance(detail, dict):
        return {_printable(k): _printable(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_printable(v) for v in detail]
    if isinstance(detail, str):
        return detail.encode("utf-8", "replace").decode("utf-8")
    return detail


def error_body(errors: dict[str, Any], codes: dict[str, Any], rule: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"errors": _printable(errors), "codes": _printable(codes)}
    if rule:
        body["rule"] = rule
    return body


def rule_violation_response(exc: RuleViolation, view: Any = None) -> Response:
    # Services name model fields; some are spelt differently in the API (group -> class).
    renames = getattr(view, "rule_field_names", {}) or {}
    field = renames.get(exc.field, exc.field) if exc.field else NON_FIELD
    rule = exc.rule or "rule"
    return Response(error_body({field: [exc.message]}, {field: [rule]}, rule), status=status.HTTP_400_BAD_REQUEST)


def conflict_response(exc: EditConflict, view: Any = None) -> Response:
    current = view.conflict_current(exc.record) if hasattr(view, "conflict_current") else None
    body = {"detail": exc.message, "code": "conflict", "current": current, "changed_by": exc.changed_by,
            "changed_at": exc.changed_at.isoformat() if exc.changed_at else None}
    return Response(body, status=status.HTTP_409_CONFLICT)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    view = context.get("view")
    if isinstance(exc, EditConflict):
        set_rollback()
        return conflict_response(exc, view)
    if isinstance(exc, RuleViolation):
        set_rollback()
        return rule_violation_response(exc, view)
    if isinstance(exc, Http404):
        # Never repeat a selector's message: a record outside scope looks exactly like a missing one.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, CodedRefusal):
        response.data = {"detail": str(exc.detail), "code": exc.default_code}
    if isinstance(exc, exceptions.ValidationError | exceptions.ParseError) and response.status_code == 400:
        errors = _as_field_dict(exc.detail, _item_message)
        codes = _as_field_dict(exc.get_codes())
        response.data = error_body(errors, codes)
    return response
