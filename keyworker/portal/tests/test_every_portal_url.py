"""Every page of the carers' portal (all `portal:` URL patterns, whoever added them) is closed to whoever should not
see it: signed out → the sign-in page; staff → 404; a carer with another family's ids → 404, on GET and POST.

The patterns are read from the URL configuration, so pages added to portal/urls.py later are covered too."""

import uuid

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from keyworker.testing import carer_account, portal_client

pytestmark = pytest.mark.django_db

# Pages anyone may open: the door itself.
PUBLIC = {"sign_in", "sign_in_sent", "sign_in_link"}


def portal_patterns() -> list[tuple[str, dict]]:
    """(name, converters) of every named pattern under the `portal` namespace, nested includes too."""
    _prefix, resolver = get_resolver().namespace_dict["portal"]
    found = []

    def walk(res, converters):
        for p in res.url_patterns:
            merged = {**converters, **getattr(p.pattern, "converters", {})}
            if hasattr(p, "url_patterns"):
                walk(p, merged)
            elif p.name:
                found.append((p.name, merged))

    walk(resolver, {})
    assert any(name == "home" for name, _ in found)
    return found


def other_ids(world) -> list[int]:
    """Ids of records of other families (the same organisation's and another's), never one of family A's."""
    own = {world.family_a.pk, world.child_a.pk, *world.family_a.carers.values_list("pk", flat=True)}
    candidates = [world.family_b.pk, world.child_b.pk, world.family_b.carers.first().pk, world.other_family.pk,
                  world.other_family.children.first().pk, world.other_family.carers.first().pk, 987654]
    return [i for i in dict.fromkeys(candidates) if i not in own]


def value_for(converter, n: int) -> object:
    name = type(converter).__name__
    if name == "IntConverter":
        return n
    if name == "UUIDConverter":
        return uuid.UUID(int=n)
    return f"x{n}"


def urls(world) -> list[tuple[str, str]]:
    """(name, url) of each pattern filled with each of another family's ids."""
    out = []
    for name, converters in portal_patterns():
        if not converters:
            out.append((name, reverse(f"portal:{name}")))
            continue
        for n in other_ids(world):
            kwargs = {key: value_for(conv, n) for key, conv in converters.items()}
            out.append((name, reverse(f"portal:{name}", kwargs=kwargs)))
    return out


def test_signed_out_every_page_but_the_door_leads_to_sign_in(world, clock):
    client = Client()
    for name, url in urls(world):
        response = client.get(url)
        if name in PUBLIC:
            assert response.status_code < 500, url
            continue
        if response.status_code == 405:  # a page that only takes POST (sign out, an answer): nothing shown
            assert client.post(url).status_code in (302, 403), url
            continue
        assert response.status_code == 302 and response.url.startswith(reverse("portal:sign_in")), url
        assert client.post(url).status_code in (302, 403), url  # 403: the CSRF check, before anything else


def test_staff_get_404_on_every_portal_page(world, client_for, clock):
    client = client_for(world.headteacher)
    for _name, url in urls(world):
        assert client.get(url).status_code in (404, 405), url  # 405: a POST-only page, nothing shown
        assert client.post(url).status_code in (404, 405), url  # 405: a page that only shows (a download)


def test_a_carer_gets_404_with_another_familys_ids(world, clock):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    carer_account(world.family_b.carers.first(), "b@example.org")
    carer_account(world.other_family.carers.first(), "z@example.org")
    for _name, url in urls(world):
        if not get_resolver().resolve(url).kwargs:
            assert client.get(url).status_code < 500, url
            continue
        assert client.get(url).status_code in (404, 405), url  # 405: a POST-only page, nothing shown
        assert client.post(url).status_code in (404, 405), url  # 405: a page that only shows (a download)


def test_every_page_of_a_carer_under_no_contact_is_closed(world, clock):
    from keyworker.people.models import Carer, ContactRestriction

    carer = world.family_a.carers.first()
    client = portal_client(carer)
    Carer.objects.filter(pk=carer.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Alfie" not in page


# Every page for a carer whose access is limited, opened with their OWN family's ids: each page answers 404 exactly when
# the carer's access does not open its section, and opens (200, or a redirect inside the portal) when it does. The
# organisation's choice is made on its set-up page, /setup/portal-access/, as a leader would.
ALL = frozenset({"key_worker", "appointments", "good_news", "messages", "data_check", "forms", "reviews", "bookings",
                 "targets", "homework", "care_plan", "journal", "transitions"})
LIMITED = frozenset({"key_worker", "appointments", "good_news", "messages", "transitions"})
SEES = {"limited": LIMITED, "key_worker": frozenset({"key_worker"}), "nothing": frozenset()}
RESTRICTED = {
    "no parental responsibility": {"parental_responsibility": False},
    "information only": {"contact_restriction": "information_only"},
    "court order": {"contact_restriction": "court_order"},
}
ACCESS_KINDS = [
    # (who, the organisation's choice, the carer's fields, the sections they should open)
    ("parental responsibility, no restriction", "nothing", {}, ALL),  # the choice never narrows full access
    *[(who, choice, fields, SEES[choice]) for who, fields in RESTRICTED.items() for choice in SEES],
    ("no contact", "limited", {"contact_restriction": "no_contact"}, frozenset()),
]


def test_every_portal_page_is_in_the_sweep():
    """A page added to the portal must say which section it belongs to (keyworker.portal.testing.PAGE_SECTIONS)."""
    from keyworker.portal.testing import DOOR, PAGE_SECTIONS

    assert {name for name, _ in portal_patterns()} == set(PAGE_SECTIONS) | DOOR


@pytest.mark.parametrize(("who", "choice", "fields", "sections"), ACCESS_KINDS,
                         ids=[f"{who}, organisation: {choice}" for who, choice, _f, _s in ACCESS_KINDS])
def test_a_carer_opens_exactly_the_sections_their_access_opens_with_their_own_ids(
        world, client_for, settings, tmp_path, who, choice, fields, sections):
    from keyworker.people.models import Carer
    from keyworker.portal.testing import POST_ONLY, section_open, world_portal_family

    settings.MEDIA_ROOT = tmp_path
    family = world_portal_family(world)
    leader = client_for(world.headteacher)
    assert leader.post("/setup/portal-access/", {"portal_restricted_access": choice}).status_code == 302
    Carer.objects.filter(pk=family.carer.pk).update(**fields)
    client = portal_client(family.carer)
    assert set(family.pages) | set(family.posts) == {name for name, _ in portal_patterns()} - {
        "sign_in", "sign_in_sent", "sign_in_link", "sign_out"}
    wrong = []
    for name, url in family.pages.items():
        answer = client.get(url).status_code
        if section_open(name, sections):
            if answer not in (200, 302):
                wrong.append(f"GET {url} ({name}): {answer}, expected it open")
        else:
            if answer != 404:
                wrong.append(f"GET {url} ({name}): {answer}, expected 404")
            posted = client.post(url, {}).status_code
            if posted not in (404, 405):  # 405: a page that only shows (a download)
                wrong.append(f"POST {url} ({name}): {posted}, expected 404")
    for name, (url, data) in family.posts.items():
        assert name in POST_ONLY
        answer = client.post(url, data).status_code
        expected_open = section_open(name, sections)
        if expected_open and answer != 302 or not expected_open and answer != 404:
            wrong.append(f"POST {url} ({name}): {answer}, expected {'302' if expected_open else '404'}")
    assert wrong == [], "\n".join(wrong)
