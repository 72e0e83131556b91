"""No lost edits: the compare-and-set every edit service makes on a record's version, the conflict it raises when
someone saved in between, and what a page shows of it (who, when, and each field: their value against yours)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import F, Model
from django.utils import timezone

from keyworker.core.dates import on_screen

from .models import AuditEvent

STALE_MESSAGE = "This page is out of date: open it again to see what is saved now."
VERSION_REQUIRED = "Send the version of the record you started from (its `version` when you read it)."
VERSION_HELP = ("The record's version, raised by one on every save. Send back the one you read with PUT or PATCH: if "
                "someone saved since, the answer is 409 with the saved record in `current`, and nothing is saved.")


class EditConflict(Exception):
    """An edit started from an older version than the saved one: nothing was saved. `record` is the saved record."""

    def __init__(self, *, record: Model, changed_by: str, changed_at: dt.datetime | None):
        self.record = record
        self.version = record.version
        self.changed_by = changed_by
        self.changed_at = changed_at
        when = f" at {timezone.localtime(changed_at):%H:%M on %d/%m/%Y}" if changed_at else ""
        self.message = (f"{changed_by} saved this{when}, after you opened it. Nothing of yours was saved: "
                        "check their changes against yours, then save again to keep yours.")
        super().__init__(self.message)


def _audit_last_change(record: Model) -> tuple[Any, dt.datetime | None]:
    last = (AuditEvent.objects.filter(organisation_id=record.organisation_id, object_type=type(record).__name__,
                                      object_id=record.pk)
            .select_related("actor").order_by("-created_at", "-id").first())
    return (last.actor, last.created_at) if last else (None, None)


def _name(user: Any) -> str:
    if user is None:
        return "Someone else"
    return getattr(user, "full_name", "") or getattr(user, "email", "") or "Someone else"


def version_claim(
    record: Model, *, expected: int | None,
    last_change: Callable[[Model], tuple[Any, dt.datetime | None]] = _audit_last_change,
) -> None:
    """Move `record` on to the next version if it is still at `expected` (one UPDATE: of two editors who started from
    the same version, exactly one gets it); otherwise raise EditConflict with the saved record. None skips the check
    (imports and corrections, which start from what is saved). Call it inside the service's transaction, first."""
    model = type(record)
    if expected is None:
        model.objects.filter(pk=record.pk).update(version=F("version") + 1)
        record.version = model.objects.values_list("version", flat=True).get(pk=record.pk)
        return
    if model.objects.filter(pk=record.pk, version=expected).update(version=F("version") + 1) != 1:
        current = model.objects.get(pk=record.pk)
        user, when = last_change(current)
        raise EditConflict(record=current, changed_by=_name(user), changed_at=when)
    record.version = expected + 1


# Pages --------------------------------------------------------------------------------------------------------


class VersionField(forms.IntegerField):
    """The version a person started from, carried in the edit form."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("label", "Your copy of this page")
        kwargs.setdefault("error_messages", {"required": STALE_MESSAGE, "invalid": STALE_MESSAGE,
                                             "min_value": STALE_MESSAGE})
        super().__init__(**kwargs)


@dataclass(frozen=True)
class Difference:
    label: str
    theirs: str
    yours: str


def _words(field: forms.Field, value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_words(field, v) for v in value) or "–"
    if isinstance(field, forms.BooleanField) or isinstance(value, bool):
        return "Yes" if value in (True, "on", "true", "True") else "No"
    if value is None or value == "":
        return "–"
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = {str(k): str(v) for k, v in choices if not isinstance(v, list | tuple)}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(value, dt.date):
        return f"{on_screen(value)}"
    return str(value)


def differences(mine: forms.Form, saved: forms.Form) -> list[Difference]:
    """Each field where what was saved (an unbound form of the saved record) differs from what the person sent."""
    out = []
    for name, field in mine.fields.items():
        if isinstance(field, VersionField) or name not in saved.fields:
            continue
        theirs = saved[name].value()
        if field.has_changed(theirs, mine[name].data):
            out.append(Difference(label=str(field.label or name), theirs=_words(field, theirs),
                                  yours=_words(field, mine[name].value())))
    return out


def conflict_context(mine: forms.Form, saved: forms.Form, conflict: EditConflict, *, version_field: str = "version") -> dict:
    """Keep the person's input on the form, now carrying the saved version (so saving again knowingly overwrites),
    and say what differs; the page shows it with core/_conflict.html."""
    data = mine.data.copy()
    data[version_field] = str(conflict.version)
    mine.data = data
    return {"conflict": conflict, "conflict_rows": differences(mine, saved)}


def carry_version(form: forms.Form, record: Model | None, name: str = "version") -> None:
    """An edit form carries the version of the record it was opened on; a form that creates a record has none."""
    if record is None or record.pk is None:
        form.fields.pop(name, None)
    else:
        form.fields[name].initial = record.version
