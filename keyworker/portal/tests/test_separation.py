"""Carers and staff never cross: a carer's session reaches only /family/ pages; staff get 404 on every portal page."""

import pytest
from django.test import Client

from keyworker.testing import portal_client

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/", "/families/", "/week/", "/accounts/sign-in/", "/admin/", "/admin/login/", "/api/v1/families/",
               "/api/v1/schema/", "/setup/", "/inbox/", "/contacts/", "/meetings/"]


def test_a_carer_never_reaches_a_staff_page_the_staff_api_or_the_admin(world, clock):
    client = portal_client(world.family_a.carers.first())
    assert client.get("/family/").status_code == 200
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 404, path
        assert client.post(path, {}).status_code == 404, path
    assert client.get(f"/families/{world.family_a.pk}/").status_code == 404
    page = client.get("/").content.decode()
    assert "Go to your family's pages" in page and "Alfie" not in page
    assert client.get("/static/portal/portal.css").status_code in (200, 404)  # static files pass the door
    assert client.get("/favicon.ico").status_code in (200, 301, 302)


def test_staff_get_404_on_portal_pages(world, client_for, clock):
    client = client_for(world.headteacher)
    for path in ("/family/", "/family/sign-in/", "/family/sign-in/sent/"):
        assert client.get(path).status_code == 404, path


def test_an_inactive_carer_account_is_refused(world, clock):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    carer.refresh_from_db()
    carer.user.is_active = False
    carer.user.save()
    assert client.get("/family/").status_code in (302, 404)


def test_the_portals_own_not_found_page_for_carers_and_signed_out_visitors_in_the_portal(world, client_for, clock):
    carer = portal_client(world.family_a.carers.first())
    for client, url in ((carer, "/family/reviews/999999/"), (carer, "/setup/"), (Client(), "/family/no-such-page/")):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "portal/not_found.html" in [t.name for t in response.templates], url
        assert "Go to your family's pages" in response.content.decode(), url
    staff = client_for(world.ta_a).get("/family/no-such-page/")
    assert staff.status_code == 404 and "core/404.html" in [t.name for t in staff.templates]
