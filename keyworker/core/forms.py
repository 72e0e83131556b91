"""Pages that post a form to a service: validate the form, call the service, and show a rule's message on its field.

Every page that takes input does this the same way:

- `form_submit(request, form, save)`: on a valid post, `save(cleaned_data)` calls the service. A refusal
  (`RuleViolation`) is shown on the field it names (on the form as a whole when the form has no such field) and the
  page is shown again; otherwise the result of `save` is the answer: a response, or `(url, message)` for "saved,
  say so and go there".
- `form_page(...)`: the whole of a simple add or edit page (`core/form_page.html`), with the side-by-side view when
  someone else saved the record first.
- `service_call(request, call, ...)`: a button with no form: the rule's message shown at the top of the next page.
- `service_errors(call, errors, default=...)`: a page whose inputs are not a Django form (a register, a table of
  tiers): the rule's message in its `errors` under the field it names.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .conflicts import EditConflict, conflict_context
from .errors import RuleViolation

# What `save` may return: a response, (url, success message), or None to show the page again.
Saved = HttpResponse | tuple[str, str] | None


def show_rule(form: forms.BaseForm, exc: RuleViolation, *, fallback: str | None = None,
              names: Mapping[str, str] | None = None) -> None:
    """Put a refusal's messages on the fields they name (`names`: the form's name for a service's argument); those
    naming no field of the form on `fallback` (None: the form as a whole)."""
    for name, errors in exc.as_dict().items():
        name = (names or {}).get(name, name)
        for error in errors:
            form.add_error(name if name in form.fields else fallback, error)


def _answer(request: HttpRequest, saved: Saved) -> HttpResponse | None:
    if isinstance(saved, tuple):
        url, message = saved
        if message:
            messages.success(request, message)
        return redirect(url)
    return saved


def form_submit(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[dict[str, Any]], Saved], *,
    fallback: str | None = None, elsewhere: str | None = None, prefix: str = "", names: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """Post the form and call the service through `save(cleaned_data)`: its answer, or None when the page is to be
    shown again (nothing posted, a field invalid, or a rule broken, its message now on its field).

    `fallback`: the field that takes a message naming no field of the form. `elsewhere`: where to go, with the
    message (after `prefix`) at the top of the page, when the rule names no field at all (a record closed meanwhile).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(dict(form.cleaned_data))
    except RuleViolation as exc:
        if elsewhere is not None and not exc.field:
            messages.error(request, prefix + exc.message)
            return redirect(elsewhere)
        show_rule(form, exc, fallback=fallback, names=names)
        return None
    return _answer(request, saved)


def service_call(request: HttpRequest, call: Callable[[], Any], *, success: str | Callable[[Any], str] = "",
                 prefix: str = "") -> bool:
    """Call a service for a button with no form: its success message, or the rule's message (after `prefix`), at the
    top of the next page. True when the service did it."""
    try:
        result = call()
    except RuleViolation as exc:
        messages.error(request, prefix + exc.message)
        return False
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return True


def form_page(
    request: HttpRequest, form: forms.BaseForm, *, title: str, cancel_url: str, save: Callable[[dict[str, Any]], Saved],
    intro: str = "", saved_form: Callable[[Any], forms.BaseForm] | None = None, fallback: str | None = None,
) -> HttpResponse:
    """A simple add or edit page. `saved_form(record)` is the form of the saved record, for an edit page: a save over
    someone else's shows both."""
    conflict: dict = {}
    try:
        done = form_submit(request, form, save, fallback=fallback)
    except EditConflict as exc:
        if saved_form is None:
            raise
        done, conflict = None, conflict_context(form, saved_form(exc.record), exc)
    if done is not None:
        return done
    return render(request, "core/form_page.html", {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro,
                                                   **conflict},
                  status=409 if conflict else 400 if request.method == "POST" else 200)


def service_errors(call: Callable[[], Any], errors: dict[str, str], *, default: str) -> bool:
    """Call a service for a page whose inputs are not a Django form: a refusal's message goes into `errors` under the
    field it names (`default` when it names none). True when the service did it."""
    try:
        call()
    except RuleViolation as exc:
        errors[exc.field or default] = exc.message
        return False
    return True
