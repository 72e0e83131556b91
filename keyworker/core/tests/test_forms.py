"""The helper every page uses to post a form to a service: a refusal is shown on the field it names."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, service_call, service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def _post(data=None):
    request = RequestFactory().post("/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _refuse(field):
    def save(_data):
        raise RuleViolation("Not that name.", rule="name", field=field)
    return save


@pytest.mark.parametrize(("field", "fallback", "where"), [
    ("name", None, "name"), (None, None, "__all__"), ("elsewhere", None, "__all__"), (None, "name", "name"),
])
def test_a_refusal_is_shown_on_its_field_and_the_page_again(field, fallback, where):
    request = _post({"name": "Ann"})
    form = NameForm(request.POST)
    assert form_submit(request, form, _refuse(field), fallback=fallback) is None
    assert form.errors[where] == ["Not that name."]


def test_saved_says_so_and_goes_there():
    request = _post({"name": "Ann"})
    response = form_submit(request, NameForm(request.POST), lambda d: ("/done/", f"Saved {d['name']}."))
    assert response.status_code == 302 and response.url == "/done/"
    assert [m.message for m in get_messages(request)] == ["Saved Ann."]


def test_an_invalid_form_or_a_get_does_not_call_the_service():
    called = []
    request = _post({})
    assert form_submit(request, NameForm(request.POST), called.append) is None
    get = RequestFactory().get("/")
    assert form_submit(get, NameForm(), called.append) is None
    assert called == []


def test_a_refusal_naming_no_field_goes_elsewhere_when_asked():
    request = _post({"name": "Ann"})
    response = form_submit(request, NameForm(request.POST), _refuse(None), elsewhere="/record/", prefix="Ann: ")
    assert response.url == "/record/"
    assert [m.message for m in get_messages(request)] == ["Ann: Not that name."]


def test_a_button_and_a_table_of_inputs():
    request = _post()
    assert not service_call(request, lambda: _refuse(None)(None))
    assert service_call(request, lambda: 3, success=lambda n: f"{n} done.")
    assert [m.message for m in get_messages(request)] == ["Not that name.", "3 done."]
    errors: dict[str, str] = {}
    assert not service_errors(lambda: _refuse(None)(None), errors, default="first")
    assert errors == {"first": "Not that name."}
