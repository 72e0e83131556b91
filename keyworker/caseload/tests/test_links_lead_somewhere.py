"""A link a member of staff sees leads somewhere they may go: the leaving page's "Reassign the caseload first" only
for who allocates key workers, every persona's navigation opens, and no link on the pages it opens answers 403."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
LINK = re.compile(r'<a [^>]*href="(/[^"#]*)"')
SKIP = ("/static/", "/api/", "/accounts/sign-out", "/accounts/logout", "/admin/")


def _nav(client):
    home = client.get("/", follow=True)
    assert home.status_code == 200
    return [url for _, url, _ in home.context["nav_items"]]


@pytest.mark.parametrize("persona", ["admin_office", "headteacher", "deputy"])
def test_the_reassign_link_on_the_leaving_page_is_for_who_may_follow_it(world, client_for, persona):
    client = client_for(world.personas[persona])
    page = client.get(f"/staff/{world.ta_a.pk}/leave/").content.decode()
    reassign = reverse("caseload:reassign_caseload", args=[world.ta_a.pk])
    if f'href="{reassign}"' in page:
        assert client.get(reassign).status_code == 200
    else:
        assert persona == "admin_office" and "Ask a leader who allocates key workers" in page
        assert client.get(reassign).status_code == 403


@pytest.mark.parametrize("persona", ["headteacher", "deputy", "teacher_a", "key_worker", "teacher_b", "admin_office",
                                     "safeguarding_lead"])
def test_each_personas_navigation_opens_and_its_pages_link_only_where_they_may_go(world, client_for, persona):
    client = client_for(world.personas[persona])
    nav = _nav(client)
    assert nav and nav[-1] == "/inbox/"
    refused = []
    seen: set[str] = set(nav)
    for url in nav:
        page = client.get(url)
        assert page.status_code == 200, f"{persona}: {url} answers {page.status_code}"
        for link in set(LINK.findall(page.content.decode())):
            link = link.replace("&amp;", "&")
            if link in seen or link.startswith(SKIP) or link.endswith((".pdf", ".csv", ".json")):
                continue
            seen.add(link)
            status = client.get(link).status_code
            if status in (403, 404, 500):
                refused.append(f"{url} links to {link}: {status}")
    assert not refused, f"{persona}: " + "; ".join(refused)
