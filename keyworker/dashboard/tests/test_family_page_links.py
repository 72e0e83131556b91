"""The family page leads to each child's data check and attendance, celebrations and the timeline, and they open."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["ta_a", "teacher_a", "headteacher", "admin_office"])
def test_every_link_of_the_family_page_opens_for_people_who_see_the_family(world, client_for, persona):
    client = client_for(getattr(world, persona))
    html = client.get(f"/families/{world.family_a.pk}/").content.decode()
    links = set(re.findall(r'href="(/(?:data-checks|attendance|celebrations|wellbeing|safeguarding|families/\d+/timeline)[^"]*)"',
                           html))
    assert {f"/data-checks/children/{world.child_a.pk}/confirm/", f"/attendance/children/{world.child_a.pk}/",
            f"/families/{world.family_a.pk}/timeline/"} <= links
    for start in ("/celebrations/new/?family=", "/wellbeing/concerns/new/?family=", "/safeguarding/raise/?family="):
        assert any(link.startswith(start) for link in links), start
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
