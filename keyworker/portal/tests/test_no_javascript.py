"""The portal needs no JavaScript: no page of it (every `portal:` page a carer with full access opens, with data on each,
and the door: sign-in, the link, a spent link, the portal's "not found") has a <script> element or an inline script,
and every form on every page works as a browser without scripts sends it: a plain POST (or GET) of the form's own
fields, CSRF token included, to the form's own address, answered with a page or a redirect, never an error."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.db import transaction
from django.test import Client

from keyworker.portal.testing import world_portal_family
from keyworker.testing import carer_account

from .helpers import last_link

pytestmark = pytest.mark.django_db

# The details check's boxes for what is wrong: a person who finds everything right leaves them empty and confirms.
CORRECTION = "change-"
INLINE_SCRIPT = re.compile(r"""<[^>]+\son[a-z]+\s*=|(href|action|src|formaction)\s*=\s*["']?\s*javascript:""", re.I)


class Forms(HTMLParser):
    """The forms of a page as a browser without scripts sees them: address, method, and the fields it would send (each
    field's own value, the checked boxes, each list's chosen option, the first submit button's name)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._textareas: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "data": {},
                          "submit": None, "selects": {}, "radios": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "submit":
                if self._form["submit"] is None:
                    self._form["submit"] = (name, a.get("value", ""))
            elif kind == "checkbox":
                if name and "checked" in a:
                    self._form["data"].setdefault(name, a.get("value", "on"))
            elif kind == "radio" and name:
                # A person picks one: the checked one, or else the first.
                if "checked" in a or name not in self._form["radios"]:
                    self._form["radios"][name] = a.get("value", "on")
            elif kind != "file" and name:
                value = a.get("value", "")
                if not value and kind in ("text", "email", "tel") and not name.startswith(CORRECTION):
                    # What a person types in an empty box.
                    value = {"email": "new.address@example.org", "tel": "07700 900456"}.get(kind, "Thank you")
                self._form["data"].setdefault(name, value)
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            if self._form["submit"] is None:
                self._form["submit"] = (name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            chosen = self._form["selects"].get(self._select)
            if chosen is None or chosen == "" or "selected" in a:  # the chosen option, or the first real one
                self._form["selects"][self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._textareas.add(name)
            self._form["data"][name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._form["data"].update(self._form.pop("selects"))
            self._form["data"].update(self._form.pop("radios"))
            for name, value in self._form["data"].items():
                if name in self._textareas:
                    value = self._form["data"][name] = value.removeprefix("\n")  # as browsers read a <textarea>
                if value == "" and name in self._textareas and not name.startswith(CORRECTION):
                    self._form["data"][name] = "Thank you, that is really helpful."
            if self._form["submit"] and self._form["submit"][0]:
                self._form["data"][self._form["submit"][0]] = self._form["submit"][1]
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["data"][self._textarea] += data


def _forms(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


def _signed_in(carer) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(carer_account(carer))
    return client


def _html(response) -> bool:
    return response.status_code in (200, 400, 404) and response["Content-Type"].startswith("text/html")


def _check_page(make_client, url: str, problems: list[str], sent: set) -> int:
    """Open `url`; check it has no script; send each of its forms not sent yet, filled in as a person would, from the
    page opened by a fresh client."""
    page = make_client().get(url)
    if not _html(page):
        return 0
    html = page.content.decode()
    parsed = _forms(html)
    if parsed.scripts or "<script" in html.lower():
        problems.append(f"{url}: has a <script> element")
    if INLINE_SCRIPT.search(html):
        problems.append(f"{url}: has an inline script ({INLINE_SCRIPT.search(html).group(0)[:80]})")
    checked = 0
    for n, form in enumerate(parsed.forms):
        key = (urljoin(url, form["action"]), form["method"], tuple(sorted(form["data"])))
        if key in sent:
            continue
        sent.add(key)
        # The form as the browser sends it, from a page the sending client opened itself (its own CSRF cookie); what
        # it changes is undone afterwards, so each form is sent from the page as it first was.
        with transaction.atomic():
            client = make_client()
            fresh = _forms(client.get(url).content.decode()).forms[n]
            target = urljoin(url, fresh["action"]) or url
            if fresh["method"] == "post":
                if "csrfmiddlewaretoken" not in fresh["data"]:
                    problems.append(f"{url}: a form to {target} has no CSRF token")
                answer = client.post(target, fresh["data"])
            else:
                answer = client.get(target, fresh["data"])
            transaction.set_rollback(True)
        checked += 1
        # Filled in as a person would, each form does its job and leads on (Post/Redirect/Get).
        if answer.status_code != 302:
            problems.append(f"{url}: its form to {target} ({fresh['method']}) answered {answer.status_code}")
    return checked


def test_no_portal_page_has_a_script_and_every_form_works_by_plain_post(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    family = world_portal_family(world)
    problems: list[str] = []
    sent: set = set()
    forms = 0
    # Every page, and the portal's "not found" for an address under /family/ and for a staff page.
    for url in [*family.pages.values(), "/family/reviews/999999/", "/setup/"]:
        forms += _check_page(lambda: _signed_in(family.carer), url, problems, sent)

    # The door, signed out: asking for a link, the link's page (a button that signs in), a spent link, not found.
    door = {"/family/sign-in/", "/family/sign-in/sent/", "/family/sign-in/link/?sesame=spent", "/family/no-such-page/"}
    Client().post("/family/sign-in/", {"email": family.carer.email})
    door.add(last_link(family.carer.email))
    for url in sorted(door):
        forms += _check_page(lambda: Client(enforce_csrf_checks=True), url, problems, sent)
    assert problems == [], "\n".join(problems)
    # Every kind of form was sent: answers, messages, the details check, enrolment, bookings, reviews, the care plan's
    # comment, the journal's comment and wow moment, notes from home, the calendar address, sign in and sign out.
    assert forms >= 15, forms
