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
