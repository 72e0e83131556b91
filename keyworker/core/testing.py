"""Test helpers for pages: the data an edit form sends when it is saved as opened (then change what a person types)."""

import datetime as dt
from typing import Any

from django import forms


def as_opened(form: forms.Form, **changes: Any) -> dict[str, Any]:
    """POST data of an unbound form as a browser would send it unchanged, with `changes` applied."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        data[name] = value
    data.update(changes)
    return data
